"""Upgrade every earlier release to this checkout, and check that nothing was lost (`make upgrade-test`).

For each release in releases.toml that has a commit and is not this checkout's version, on each database asked for:

1. its files from git (`git archive`, one tree per release, kept between runs under var/upgrade-test/) and a
   virtualenv of its own with its own dependencies (pip's cache makes the second install quick);
2. a new database, migrated by the release, then filled through the release's own code: its `seed_demo`, and
   where that makes no decisions (0.1.0), decisions submitted, reviewed and amended through its services
   (upgrades/old_release_decisions.py);
3. what the release holds, read by the release's own code (upgrades/snapshot.py);
4. `migrate` with this checkout, then upgrades/after.py with this checkout's code: the audit chain verifies,
   every record opens for its organisation (and not for the other), exports as a signed PDF that the verify
   page calls genuine, and can be amended; every verification code is what the release gave it;
5. the upgraded schema (tables, columns, indexes, constraints, triggers and their functions) is the schema a
   new database gets from this checkout's migrations: an applied migration that was edited shows here.

Exit status 0 when every release passes on every database; the log says what failed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "upgrade-test"
PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}
HERE = Path(__file__).resolve().parent


def log(message: str) -> None:
    print(f"[upgrade-test {time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(args: list[str], *, cwd: Path, env: dict[str, str] | None = None, quiet: bool = False) -> str:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        command = " ".join(args)
        output = f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        raise UpgradeFailed(f"`{command}` in {cwd} failed ({result.returncode}):\n{output}")
    if not quiet and result.stdout.strip():
        print(result.stdout.rstrip(), flush=True)
    return result.stdout


class UpgradeFailed(Exception):
    pass


def releases() -> list[dict]:
    listed = tomllib.loads((ROOT / "releases.toml").read_text(encoding="utf-8"))["release"]
    current = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    return [r for r in listed if r["commit"] and r["version"] != current]


def release_tree(release: dict) -> tuple[Path, Path]:
    """The release's files and its virtualenv's python, made once and reused while the commit is the same."""
    base = WORK / release["version"]
    tree, venv = base / "src", base / "venv"
    stamp = base / "installed"
    if stamp.exists() and stamp.read_text() == release["commit"]:
        return tree, venv / "bin" / "python"
    shutil.rmtree(base, ignore_errors=True)
    tree.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", release["commit"]], cwd=ROOT, capture_output=True, check=False
    )
    if archive.returncode != 0:
        raise UpgradeFailed(
            f"git has no commit {release['commit']} for {release['version']} (a shallow clone?): "
            + archive.stderr.decode(errors="replace")
        )
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    log(f"{release['version']}: installing its dependencies into its own virtualenv")
    run([sys.executable, "-m", "venv", str(venv)], cwd=base)
    run(
        [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", "-e", f"{tree}[dev]"], cwd=tree
    )
    stamp.write_text(release["commit"])
    return tree, venv / "bin" / "python"


def database_url(vendor: str, name: str, folder: Path) -> str:
    if vendor == "sqlite":
        path = folder / f"{name}.sqlite3"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    psql(f'DROP DATABASE IF EXISTS "{name}"')
    psql(f'CREATE DATABASE "{name}"')
    return f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{name}"


def psql(sql: str) -> None:
    run(["psql", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-q", "-c", sql], cwd=ROOT)


def drop(vendor: str, name: str) -> None:
    if vendor == "postgresql":
        psql(f'DROP DATABASE IF EXISTS "{name}"')


def environment(url: str, folder: Path) -> dict[str, str]:
    """One set of keys and files for the release and this checkout alike, as on a real server's upgrade."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="sharing_app.settings",
        DATABASE_URL=url,
        SECRET_KEY="upgrade-test-only-" + "k" * 40,
        DEBUG="false",
        SECURE_COOKIES="false",
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        DEMO_PASSWORD="upgrade-test password 1",
        AUDIT_SIGNING_KEY_FILE=str(folder / "audit_signing_key.pem"),
        AUDIT_TRUSTED_PUBLIC_KEYS_FILE=str(folder / "audit_trusted_public_keys.pem"),
        AUDIT_CHECKPOINT_LOG=str(folder / "audit-checkpoints.log"),
        PDF_SIGNING_PKCS12_FILE=str(folder / "pdf_signing.p12"),
        PDF_TRUSTED_CERTS_FILE=str(folder / "pdf_trusted_certs.pem"),
        EXPORTS_DIR=str(folder / "exports"),
        PYTHONDONTWRITEBYTECODE="1",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        # Pages are rendered without collectstatic: plain static storage, as the test suite does.
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
        # The demo profile: releases from issue 25 on run seed_demo only in it.
        DEMO="true",
    )
    return env


def upgrade(release: dict, vendor: str) -> None:
    version = release["version"]
    tree, old_python = release_tree(release)
    folder = WORK / version / vendor
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    name = f"upgrade_{version.replace('.', '_')}_{os.getpid()}"
    url = database_url(vendor, name, folder)
    fresh_name = f"{name}_fresh"
    fresh_url = database_url(vendor, fresh_name, folder)
    env = environment(url, folder)
    try:
        # Keys first, made by this checkout, so that the release signs with what the upgraded service trusts.
        run([sys.executable, "manage.py", "make_demo_keys"], cwd=ROOT, env=env, quiet=True)
        log(f"{version} on {vendor}: migrate and seed with the release's own code")
        run([str(old_python), "manage.py", "migrate", "--noinput", "-v", "0"], cwd=tree, env=env)
        run([str(old_python), "manage.py", "seed_demo"], cwd=tree, env=env, quiet=True)
        script = (HERE / "old_release_decisions.py").read_text(encoding="utf-8")
        run([str(old_python), "manage.py", "shell", "-v", "0", "-c", script], cwd=tree, env=env)
        snapshot = folder / "snapshot.json"
        script = (HERE / "snapshot.py").read_text(encoding="utf-8")
        env_snapshot = {**env, "UPGRADE_SNAPSHOT": str(snapshot)}
        run([str(old_python), "manage.py", "shell", "-v", "0", "-c", script], cwd=tree, env=env_snapshot)
        held = json.loads(snapshot.read_text())
        log(f"{version} on {vendor}: the release holds {len(held['decisions'])} decisions, {held['events']} events")
        log(f"{version} on {vendor}: migrate with this checkout")
        started = time.monotonic()
        run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "1"], cwd=ROOT, env=env)
        log(f"{version} on {vendor}: migrated in {time.monotonic() - started:.1f} s; checking")
        run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=environment(fresh_url, folder),
        )
        run(
            [sys.executable, "-m", "upgrades.after", "--snapshot", str(snapshot), "--fresh-database", fresh_url],
            cwd=ROOT,
            env=env,
        )
    finally:
        drop(vendor, name)
        drop(vendor, fresh_name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["postgresql", "sqlite", "both"], default="both")
    parser.add_argument("--release", action="append", help="only this version (repeat for more)")
    args = parser.parse_args()
    vendors = ["postgresql", "sqlite"] if args.database == "both" else [args.database]
    chosen = [r for r in releases() if not args.release or r["version"] in args.release]
    if not chosen:
        log("no earlier release to upgrade from")
        return 1
    failures = []
    started = time.monotonic()
    for release in chosen:
        for vendor in vendors:
            began = time.monotonic()
            try:
                upgrade(release, vendor)
            except UpgradeFailed as failure:
                failures.append(f"{release['version']} on {vendor}: {failure}")
                log(f"FAILED {release['version']} on {vendor}:\n{failure}")
            else:
                log(f"passed: {release['version']} on {vendor} in {time.monotonic() - began:.0f} s")
    log(
        f"{len(chosen) * len(vendors) - len(failures)} of {len(chosen) * len(vendors)} upgrades passed "
        f"in {time.monotonic() - started:.0f} s"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
