"""Checks of the service's files and profile: private files always, and for production (`check --deploy`) a real
database, no file others can read, no keys inside the project folder, and no demo profile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks

from .private_files import PRIVATE_UMASK, current_umask, open_to_others


@checks.register(checks.Tags.security)
def files_are_private(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every entry point sets the umask (sharing_app/private_files.py); one that does not would write the
    database and exports readable by every account on the machine."""
    if current_umask() & PRIVATE_UMASK == PRIVATE_UMASK:
        return []
    return [
        checks.Warning(
            f"Files this process writes can be read by other accounts on the machine (umask {current_umask():03o}).",
            hint="Start the service through manage.py or sharing_app.wsgi (they set umask 077), or set it yourself.",
            id="sharing_app.W001",
        )
    ]


def service_files() -> list[Path]:
    """The files and folders holding the service's data or secrets, as configured."""
    candidates: list[Path] = []
    var_dir = Path(settings.VAR_DIR)
    if var_dir.is_dir():
        candidates += [var_dir, *var_dir.iterdir()]
    database = settings.DATABASES["default"]
    if str(database["ENGINE"]).endswith("sqlite3"):
        candidates.append(Path(str(database["NAME"])))
    if settings.STORAGES["exports"]["BACKEND"].endswith("FileSystemStorage"):
        candidates.append(Path(settings.EXPORTS_DIR))
    for name in ("AUDIT_SIGNING_KEY_FILE", "PDF_SIGNING_PKCS12_FILE", "AUDIT_CHECKPOINT_LOG"):
        value = getattr(settings, name, "") or ""
        if value:
            candidates.append(Path(value))
    seen: dict[str, Path] = {}
    for path in candidates:
        if path.exists() and not path.is_symlink():
            seen.setdefault(str(path.resolve()), path)
    return sorted(seen.values())


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except OSError:
        return False


@checks.register(checks.Tags.security, deploy=True)
def production_files(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    if str(settings.DATABASES["default"]["ENGINE"]).endswith("sqlite3"):
        errors.append(
            checks.Error(
                "The database is SQLite: one file on this machine, without the database's own access control.",
                hint="Set DATABASE_URL=postgres://... (README, 'PostgreSQL and gunicorn').",
                id="sharing_app.E001",
            )
        )
    readable = [str(path) for path in service_files() if open_to_others(path)]
    if readable:
        errors.append(
            checks.Error(
                f"Other accounts on this machine can read or enter the service's files: {', '.join(readable)}.",
                hint="chmod 700 for folders and 600 for files (the service's own commands do this for var/).",
                id="sharing_app.E002",
            )
        )
    in_project = [
        f"{name} ({path})"
        for name in ("AUDIT_SIGNING_KEY_FILE", "PDF_SIGNING_PKCS12_FILE")
        if (path := Path(getattr(settings, name, "") or "/nonexistent")).is_file() and _inside(path, settings.BASE_DIR)
        and not (name == "AUDIT_SIGNING_KEY_FILE" and settings.AUDIT_SIGNING_KEY)
    ]  # fmt: skip
    if in_project:
        errors.append(
            checks.Error(
                f"Signing keys are inside the project folder, where `make keys` puts the demo ones: "
                f"{', '.join(in_project)}.",
                hint="Keep production keys outside the code's folder (a secret store, /etc); point the settings there.",
                id="sharing_app.E003",
            )
        )
    if settings.DEMO:
        errors.append(
            checks.Error(
                "DEMO is on: the demo commands work and every page says 'Demo – not for real records'.",
                hint="Unset DEMO in production; it is for `make run` only.",
                id="sharing_app.E004",
            )
        )
    return errors
