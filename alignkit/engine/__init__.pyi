"""Names re-exported by the package, loaded on first use (lazy_loader reads this stub; type checkers too)."""

from .backend import as_table, is_table, local_backend, to_frame
from .sources import open_source

__all__ = ["as_table", "is_table", "local_backend", "open_source", "to_frame"]
