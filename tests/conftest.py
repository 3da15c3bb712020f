"""Signing material for the whole test run: an audit checkpoint key and a self-signed PDF certificate, made
afresh in a temporary folder (key files are never committed), and set both in Django's settings and in the
environment (for tests that start manage.py in a subprocess)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

KEY_SETTINGS = ("AUDIT_SIGNING_KEY_FILE", "PDF_SIGNING_PKCS12_FILE")


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    from audit.keys import new_private_key_pem
    from decisions.signing import make_self_signed_pkcs12

    folder = Path(tempfile.mkdtemp(prefix="test-keys-"))  # 0700, and the keys in it are made 0600 below
    config._test_keys_folder = folder  # type: ignore[attr-defined]
    audit_key = folder / "audit_signing_key.pem"
    audit_key.write_bytes(new_private_key_pem())
    p12 = folder / "pdf_signing.p12"
    p12.write_bytes(make_self_signed_pkcs12("Information sharing decisions (tests)", "Test organisation"))
    values = {
        "AUDIT_SIGNING_KEY_FILE": str(audit_key),
        "AUDIT_TRUSTED_PUBLIC_KEYS_FILE": str(folder / "audit_trusted_public_keys.pem"),
        "PDF_SIGNING_PKCS12_FILE": str(p12),
        "PDF_TRUSTED_CERTS_FILE": str(folder / "pdf_trusted_certs.pem"),
        # No checkpoint log file unless a test asks for one: the suite's databases come and go.
        "AUDIT_CHECKPOINT_LOG": "",
    }
    for key_file in (audit_key, p12):
        key_file.chmod(0o600)  # as production keeps them: `check --deploy` fails on keys others can read
    for name, value in values.items():
        setattr(settings, name, value)
        os.environ[name] = value
    # The named world's admins are made moments before they act; tests/security/test_admin_disposal.py checks the
    # waiting period itself.
    settings.DISPOSAL_APPROVER_MIN_DAYS = 0


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = getattr(config, "_test_keys_folder", None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
