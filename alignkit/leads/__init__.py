"""Leads (notebook 04): the ideal lead — conversion by attribute (the profile), the leakage guard, the lead score,
its written definition (rules, MQL threshold, bands), the leads report, and scoring a new export (`alignkit score`)."""

import lazy_loader

# Each name loads its module on first use, so importing a package costs nothing until it is used
# (the names and their modules: __init__.pyi).
__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
