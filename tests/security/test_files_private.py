"""Issue 25 item 1: var/ was 0755 and var/db.sqlite3 0644, so any account on the machine could read children's
names, two-step secrets and session keys. Every entry point must write private files, close what an older
install left open, and the production check must fail on SQLite, on files others can read and on keys inside
the project folder."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import uuid
from pathlib import Path

from django.conf import settings

from ..test_security import ROOT, manage, production_env

WRITE_PROBE = "import os; open(os.environ['PROBE'], 'w').close()"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_manage_py_writes_files_only_the_service_can_read(tmp_path: Path) -> None:
    probe = tmp_path / "written-by-a-command"
    env = {**production_env(), "PROBE": str(probe)}
    result = manage("shell", "-c", WRITE_PROBE, env=env)
    assert result.returncode == 0, result.stderr
    assert mode(probe) == 0o600


def test_the_web_server_writes_files_only_the_service_can_read(tmp_path: Path) -> None:
    probe = tmp_path / "written-by-the-web-server"
    env = {**production_env(), "PROBE": str(probe)}
    script = f"import sharing_app.wsgi; {WRITE_PROBE}"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert mode(probe) == 0o600


def test_an_older_installs_open_files_are_closed(tmp_path: Path) -> None:
    from sharing_app.private_files import keep_private

    var = tmp_path / "var"
    (var / "exports").mkdir(parents=True)
    (var / "db.sqlite3").write_bytes(b"children's names")
    os.chmod(var, 0o755)  # noqa: S103 - what an older install left: the attack
    os.chmod(var / "exports", 0o755)  # noqa: S103
    os.chmod(var / "db.sqlite3", 0o644)
    old_umask = os.umask(0o022)
    try:
        keep_private(var)
    finally:
        os.umask(old_umask)
    assert (mode(var), mode(var / "exports"), mode(var / "db.sqlite3")) == (0o700, 0o700, 0o600)


def deploy_check(**env: str) -> str:
    result = manage("check", "--deploy", env=production_env(**env))
    return result.stdout + result.stderr


def test_the_production_check_fails_on_sqlite(tmp_path: Path) -> None:
    assert "sharing_app.E001" in deploy_check(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")


def test_the_production_check_fails_on_a_key_others_can_read(tmp_path: Path) -> None:
    key = tmp_path / "audit.pem"
    shutil.copy(settings.AUDIT_SIGNING_KEY_FILE, key)
    os.chmod(key, 0o644)
    output = deploy_check(AUDIT_SIGNING_KEY_FILE=str(key))
    assert "sharing_app.E002" in output and str(key) in output


def test_the_production_check_fails_on_keys_inside_the_project_folder() -> None:
    var = ROOT / "var"
    var.mkdir(mode=0o700, exist_ok=True)
    key = var / f"test-key-{uuid.uuid4().hex}.pem"
    shutil.copy(settings.AUDIT_SIGNING_KEY_FILE, key)
    os.chmod(key, 0o600)
    try:
        assert "sharing_app.E003" in deploy_check(AUDIT_SIGNING_KEY_FILE=str(key))
    finally:
        key.unlink()
