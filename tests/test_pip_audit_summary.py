"""Issue 25 item 15: `make audit` printed "No known vulnerabilities found" while pip-audit had skipped all 173
packages. tools/pip_audit_summary.py says what was not audited, and fails only on real findings (or, with
--strict, on packages not audited)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.pip_audit_summary import main

SKIPPED = {"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited: django (5.2)"}
CLEAN = {"name": "asgiref", "version": "3.9.0", "vulns": []}
VULNERABLE = {"name": "jinja2", "version": "3.0.0", "vulns": [{"id": "GHSA-x", "fix_versions": ["3.1.5"]}]}


def run(tmp_path: Path, dependencies: list[dict[str, object]], *flags: str) -> int:
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"dependencies": dependencies}))
    return main([str(report), *flags])


def test_packages_not_audited_are_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(tmp_path, [SKIPPED, CLEAN]) == 0
    out = capsys.readouterr().out
    assert "1 of 2 packages audited" in out and "NOT AUDITED (1 packages" in out and "django" in out
    assert "No known vulnerabilities" not in out


def test_strict_fails_when_anything_was_not_audited(tmp_path: Path) -> None:
    assert run(tmp_path, [SKIPPED, CLEAN], "--strict") == 2
    assert run(tmp_path, [CLEAN], "--strict") == 0


def test_a_known_vulnerability_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(tmp_path, [VULNERABLE, SKIPPED]) == 1
    assert "VULNERABLE jinja2 3.0.0: GHSA-x (fixed in 3.1.5)" in capsys.readouterr().out
