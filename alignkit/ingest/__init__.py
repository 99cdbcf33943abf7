"""Ingest: read the exports as they are — files by what they contain, survey formats with their codebook, CRM
tables through the project file's column mapping. Nothing here cleans or changes a value; `alignkit.prepare` does."""

import lazy_loader

# Each name loads its module on first use, so importing a package costs nothing until it is used
# (the names and their modules: __init__.pyi).
__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
