"""Personas (notebook 03): which answers and respondents form them and how many (``fitting``: k-means or latent
classes), persona profiles and names, customer personas from the CRM, the map, new survey waves or customers
assigned to the fitted personas, and the personas report."""

import lazy_loader

# Each name loads its module on first use, so importing a package costs nothing until it is used
# (the names and their modules: __init__.pyi).
__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
