"""Report: render results into self-contained HTML pages (templates, tables with their CSV twins, embedded
figures, the manifest footer) under the privacy rules every report keeps. The stages build their sections with
these pieces; the alignment page (`alignkit.alignment`) composes them."""

import lazy_loader

# Each name loads its module on first use, so importing a package costs nothing until it is used
# (the names and their modules: __init__.pyi).
__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
