"""Where export files live: Django's "exports" storage (settings.STORAGES), a local folder or an S3 bucket.

Every file a person downloads later, and every piece a worker leaves for another to assemble, goes through
here, never a worker's own disk: on several machines, any web node serves any download and any worker
finishes what another started.
"""

from __future__ import annotations

import contextlib
import logging
import os

from django.core.files.storage import Storage, storages

logger = logging.getLogger(__name__)


def export_storage() -> Storage:
    return storages["exports"]


def delete_quietly(name: str) -> None:
    """Delete one file if it is there; a storage that cannot be reached leaves it for the next tidy-up."""
    if not name:
        return
    try:
        export_storage().delete(name)
    except Exception:  # tidying up never turns a result into a failure
        logger.warning("Could not delete %s from the export storage", name)


def delete_folder(prefix: str) -> None:
    """Delete everything under `prefix` (a folder on disk, a key prefix in a bucket), as far as it can."""
    storage = export_storage()
    try:
        folders, files = storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return
    except Exception:
        logger.warning("Could not list %s in the export storage", prefix)
        return
    for name in files:
        delete_quietly(f"{prefix.rstrip('/')}/{name}")
    for folder in folders:
        delete_folder(f"{prefix.rstrip('/')}/{folder}")
    # A bucket has no folders; on disk the emptied one goes too.
    with contextlib.suppress(NotImplementedError, OSError):
        os.rmdir(storage.path(prefix))
