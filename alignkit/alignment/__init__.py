"""Alignment (notebook 05): the one page for the meeting of both teams — the agreed definitions, then the
sections the funnel, leads and personas analyses contribute, in the meeting's order."""

import lazy_loader

# Each name loads its module on first use, so importing a package costs nothing until it is used
# (the names and their modules: __init__.pyi).
__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
