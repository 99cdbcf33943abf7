"""Every figure, one theme: data in, Axes out. Plot functions never show or save; the caller decides.

theme: palette, colours, matplotlib settings, PNG data URIs · cleaning and weights: notebook 01 · funnel and timing:
funnel, SLA and times to convert (notebook 02) · personas: notebook 03 · leads: converting leads (notebook 04)."""

import lazy_loader

# Each name loads its module on first use, so importing a package costs nothing until it is used
# (the names and their modules: __init__.pyi).
__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
