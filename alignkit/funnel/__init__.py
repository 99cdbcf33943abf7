"""Funnel (notebook 02): stage reach and conversion with maturity, friction points, the SLA between the teams,
the time to convert, the open pipeline's forecast and the MQLs a goal needs, the closed loop (lost reasons,
content before wins) and the shared KPIs, and the funnel report."""

import lazy_loader

# Each name loads its module on first use, so importing a package costs nothing until it is used
# (the names and their modules: __init__.pyi).
__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
