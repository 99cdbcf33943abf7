"""Runs that cannot leave a mixed state: what `alignkit run` records about itself, and what `alignkit validate`
checks against it. The design, in the order a run meets it:

- **One run at a time** (`lock`): a run holds an exclusive `flock` on `<project>/.alignkit/run.lock` for its whole
  life, and writes its pid, start time and command into that file. A second run refuses at once, naming the first
  (or, with `--wait`, waits for it). The kernel releases a `flock` when its process dies, however it dies, so a
  killed run never leaves a stale lock; `validate` asks the same lock whether a run is going on.
- **A manifest** (`manifest`): `<project>/.alignkit/last_run.json`, rewritten atomically at the start of a run
  (status `running`), as each notebook starts and ends, and at the end (`finished`, `failed`, or `interrupted` when
  SIGTERM/SIGINT stopped it). It holds the run's id (`<UTC start>-<pid>-<4 hex>`), alignkit version, command, the
  content hash (SHA-256, as in every report's inputs table) of every raw input the project file names, the hash of
  the resolved settings, and each notebook's state. A manifest still saying `running` while no process holds the lock
  is a run that was killed.
- **A ledger of outputs** (in the same manifest, carried from run to run): for each report (`reports/NN_*.html`)
  and each processed table (`data/processed/*`), the run that wrote it, the inputs and settings hashes that run
  saw, and the file's size and modification time. At its start a run marks every output its notebooks will rewrite
  `in progress` (keeping the record of the run that wrote the file before); as a notebook ends, the files it wrote
  are recorded as complete, and those it did not rewrite get their earlier record back. So after a kill the ledger
  says which outputs the interrupted run had rewritten and which are still an earlier run's.
- **Reports say which run built them**: a notebook's kernel inherits `ALIGNKIT_RUN` (the run id) from the run, and
  every report's footer names it (a notebook run by hand says it was built outside `alignkit run`). A static page
  cannot know whether its inputs changed later, so the footer sends the reader to `alignkit validate`, which
  (`check`) hashes the inputs again and lists the reports and tables built from other inputs or settings than
  the current ones, the ones an unfinished run was rewriting, and what the last run did not finish.
- **Leftovers of a killed run**: kernel socket folders (with the kernels' connection files) are named
  `alignkit-kernel-<pid>-*` (`alignkit.kernels`) and removed at the next start when that process is gone; a
  notebook's executed copy is written under `NN_name.running-<pid>.ipynb` and renamed to `NN_name.ipynb` only when
  the notebook succeeds (`.failed.ipynb` when it fails, `.interrupted.ipynb` when the run was stopped, at once on
  SIGTERM/SIGINT or at the next start after a SIGKILL).
"""
