"""The service's files are its own: nobody else on the machine may read them.

The SQLite database holds children's names, two-step secrets and session keys; var/ also holds the demo keys,
the checkpoint log and export zips. Every entry point (manage.py, so every command and the worker; wsgi.py;
asgi.py) calls `keep_private()` first: a umask of 077 makes each new file 0600 and each folder 0700, and what an
older install left readable in var/ is closed. `checks.py` warns when it did not happen and fails the production
check (`check --deploy`) on any of the service's files others can read.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077
VAR_DIR = Path(__file__).resolve().parent.parent / "var"


def current_umask() -> int:
    mask = os.umask(PRIVATE_UMASK)
    os.umask(mask)
    return mask


def keep_private(var_dir: Path = VAR_DIR) -> None:
    os.umask(PRIVATE_UMASK)
    # What an older install made before the umask: var/ itself and what lies directly in it (its database, keys,
    # log, exports folder). var/ at 0700 keeps everyone else out of anything deeper. A deployment may have no
    # var/ (everything configured elsewhere) or a read-only project folder: then there is nothing to close.
    try:
        entries = [var_dir, *var_dir.iterdir()]
    except OSError:
        return
    for path in entries:
        with contextlib.suppress(OSError):  # not ours, or gone meanwhile: the check reports what is left
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode) or not mode & 0o077:
                continue
            os.chmod(path, 0o700 if stat.S_ISDIR(mode) else 0o600)


def open_to_others(path: Path) -> bool:
    """Whether anyone but the owner (group or others) may read, write or enter `path`."""
    try:
        return bool(path.stat().st_mode & 0o077)
    except OSError:
        return False
