"""Engine: the heavy aggregations written once as Ibis expressions — touches per lead and kind, the first sales touch
after the MQL date, content seen before the close, collateral sales never uses, the export date's order statistics,
stage reach and time in stage, conversion counts per attribute value — run by the engine the data lives in (DuckDB
on one machine for files, lakes and DuckDB databases; Spark or any other Ibis backend on a cluster). Only per-lead
and per-group tables come back to pandas. `alignkit.engine.sources` opens the project file's lake and database
inputs; nothing here names a stage of the flow.

In-memory inputs take whichever path measured faster on the 2-core machine (bench/funnel_scale.py's data, 1M leads
and 10M touches): notebook 02's touches.parquet is aggregated by DuckDB from the file (the whole analysis 7.3 s and
0.9 GB peak, against 34.8 s and 2.3 GB reading it into pandas), and notebook 01's first sales touch runs in DuckDB
(2.8 s against 9.7 s). A touches frame already in memory (content before the close 8.1 s and unused collateral 2.9 s
in pandas, 11.5 s and 6.5 s through DuckDB), stage reach and time in stage (1.9 s with the stage paths, 4.4 s through
DuckDB) and the profile's counts (1.0–1.1 s, 2.2–2.4 s with the frame's Arrow copy) keep the pandas path. Both paths
give the same figures to the last digit (tests/engine/)."""

import lazy_loader

# Each name loads its module on first use, so importing a package costs nothing until it is used
# (the names and their modules: __init__.pyi).
__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
