"""Engine: the heavy aggregations written once as Ibis expressions — touches per lead and kind, the first sales touch
after the MQL date, content seen before the close, collateral sales never uses, the export date's order statistics,
stage reach and time in stage, conversion counts per attribute value — run by the engine the data lives in (DuckDB
on one machine for files, lakes and DuckDB databases; Spark or any other Ibis backend on a cluster). Only per-lead
and per-group tables come back to pandas. `alignkit.engine.sources` opens the project file's lake and database
inputs; nothing here names a stage of the flow."""

from alignkit.engine.backend import as_table, is_table, local_backend, to_frame
from alignkit.engine.sources import open_source

__all__ = ["as_table", "is_table", "local_backend", "open_source", "to_frame"]
