"""The project folder `alignkit init` makes, all or nothing: its files are written into a temporary folder beside it
and moved into place once everything succeeded; a refused export's fix is said as what to type on the command
line, since no project file exists yet to set a key in."""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence
from pathlib import Path

from alignkit.errors import AlignkitError, InputFileError

# The fixes of refused exports that name a project-file key, said for `alignkit init --from`, where none exists yet.
INIT_FIXES = {
    "unpack it and point `file:`": "unpack it and name the export inside after --from",
    "check the `file:` setting": "check the path given after --from",
    "save the workbook as .xlsx and point `file:`": "save the workbook as .xlsx and name it after --from",
}


def refused_message(error: AlignkitError, command: Sequence[str]) -> str:
    """Return the message for an `alignkit init` that `error` stopped: the problem, and a fix that names the
    command-line option to add to `command` (e.g. `--encoding cp1252`) or the path to give after --from instead of
    a project-file key; it ends by saying nothing was written."""
    if not isinstance(error, InputFileError):
        return f"{str(error).rstrip('.')}. Nothing was written."
    if error.setting is not None:
        key, value = error.setting
        retry = shlex.join([*command, f"--{key}", value])
        fix = (
            f"run `{retry}` (it decodes the file), or export the file again as UTF-8"
            if key == "encoding"
            else f"run `{retry}` if its fields are separated by {value!r}, or check its quoting"
        )
    elif error.fix and "`file:`" in error.fix:
        fix = next(
            (said for fixed, said in INIT_FIXES.items() if error.fix.startswith(fixed)),
            "name the export file after --from",
        )
    else:
        return f"{str(error).rstrip('.')}. Nothing was written."
    return f"{error.path}: {error.problem} Fix: {fix}. Nothing was written."


def move_into_place(source: Path, target: Path) -> None:
    """Move the files made in `source` into `target`: the whole folder at once when `target` does not exist,
    else file by file (an existing file of the same name is replaced, other files in `target` are kept)."""
    if not target.exists():
        umask = os.umask(0)
        os.umask(umask)
        source.chmod(0o777 & ~umask)  # mkdtemp made it private; a project folder is as any new folder
        source.rename(target)
        return
    for path in sorted(source.rglob("*")):
        destination = target / path.relative_to(source)
        if path.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
        else:
            os.replace(path, destination)
