from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from audit import keys
from decisions.signing import make_self_signed_pkcs12


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


class Command(BaseCommand):
    help = (
        "Demo only: make the audit checkpoint key and a self-signed PDF signing certificate under var/ if they are "
        "missing. Production supplies its own (see the README)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        audit_key = Path(settings.AUDIT_SIGNING_KEY_FILE)
        if not settings.AUDIT_SIGNING_KEY and not audit_key.exists():
            _write_private(audit_key, keys.new_private_key_pem())
            self.stdout.write(f"Made a demo audit checkpoint key: {audit_key}")
        pdf_p12 = Path(settings.PDF_SIGNING_PKCS12_FILE)
        if not pdf_p12.exists():
            data = make_self_signed_pkcs12(
                "Information sharing decisions (demo)",
                "Demo – not for real records",
                password=settings.PDF_SIGNING_PKCS12_PASSWORD,
            )
            _write_private(pdf_p12, data)
            self.stdout.write(f"Made a self-signed demo PDF signing certificate: {pdf_p12}")
