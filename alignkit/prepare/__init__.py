"""Prepare (notebook 01): clean the exports into the canonical tables of data/processed/ — pure cleaning steps
that write every change to the cleaning log, survey quality flags, pseudonymised ids, survey weights, stage
paths — and the cleaning report. `validate_project` checks a project file and its inputs before any of it runs."""

import lazy_loader

# Each name loads its module on first use, so importing a package costs nothing until it is used
# (the names and their modules: __init__.pyi). `alignkit validate` imports `alignkit.prepare.validate`, which runs
# this file first, and the cleaning report's modules (matplotlib, scipy) took 2.3 s of its 4.4 s when loaded here.
__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
