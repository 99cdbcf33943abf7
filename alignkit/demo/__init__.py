"""Demo: synthetic survey and CRM exports with a planted truth (personas, drivers, dirt, slow owners), and the
scorecard that checks the kit finds it. Only the CLI and the tests import this; no analysis stage does.

design: the planted design · crm and survey: the exports built from it · generator: writes them with their truth ·
truth: the scorecard."""

import lazy_loader

# Each name loads its module on first use, so importing a package costs nothing until it is used
# (the names and their modules: __init__.pyi).
__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
