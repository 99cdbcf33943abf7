"""Names re-exported by the package, loaded on first use (lazy_loader reads this stub; type checkers too)."""

from .writer import render_project, write_draft

__all__ = ["render_project", "write_draft"]
