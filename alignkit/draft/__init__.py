"""`alignkit init --from`: a project file drafted from the exports (kinds, mapping, types, outcome, lookups,
suspected post-outcome fields), every guess a comment the user reviews."""

import lazy_loader

# Each name loads its module on first use, so importing a package costs nothing until it is used
# (the names and their modules: __init__.pyi).
__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
