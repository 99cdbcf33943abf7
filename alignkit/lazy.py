"""Heavy libraries loaded where they are first used, not when a module that may use them is imported.

`python -X importtime -c "from alignkit.leads import analysis"` put scipy.stats at a third of a second of the 2.2 s
the import took before issue 29: every module of `alignkit.stats` imported it at the top, though only the tests
themselves need it. A function here returns the module, importing it on the first call (later calls cost a dict
lookup in sys.modules)."""

from __future__ import annotations

import importlib
from types import ModuleType


def scipy_stats() -> ModuleType:
    """Return `scipy.stats`, importing it on first use."""
    from scipy import stats

    return stats


def load_all(*packages: str) -> None:
    """Import every name each package re-exports, which its lazy `__init__` defers to first use, and return nothing.

    For a kernel started ahead of its notebook (`alignkit.kernels`): there the import cost is paid while another
    notebook runs, so the notebook's own cells find their modules loaded."""
    for name in packages:
        package = importlib.import_module(name)
        for attribute in getattr(package, "__all__", ()):
            getattr(package, attribute)
