"""The version this checkout is: pyproject.toml's, read from the file itself so that it is right even when the
virtualenv's package metadata was made from an older checkout. Its release notes are in CHANGELOG.md."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
VERSION: str = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["version"]


def service_version(request: HttpRequest) -> dict[str, Any]:
    """For the footer: support asks which version a council runs. And for the header: whether this is the demo
    (DEMO=true), which every page then says."""
    return {"service_version": VERSION, "demo_profile": settings.DEMO}
