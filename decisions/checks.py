"""Checks: production signs its PDFs with its own certificate; the PDF has its emoji font."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from . import signing


@checks.register(checks.Tags.security, deploy=True)
def pdf_signing_certificate(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    if signing.is_configured():
        return []
    return [
        checks.Error(
            "Exported PDFs cannot be digitally signed: no readable PKCS#12 file.",
            hint="Set PDF_SIGNING_PKCS12_FILE to the organisation's signing certificate and key (PKCS#12) and "
            "PDF_SIGNING_PKCS12_PASSWORD to its password.",
            id="decisions.E001",
        )
    ]


# How `make_demo_keys` names its self-signed certificate.
DEMO_CERTIFICATE_MARKS = ("(demo)", "Demo – not for real records")


@checks.register(checks.Tags.security, deploy=True)
def no_demo_certificate(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    from cryptography.hazmat.primitives.serialization import pkcs12

    path = getattr(settings, "PDF_SIGNING_PKCS12_FILE", "") or ""
    password = getattr(settings, "PDF_SIGNING_PKCS12_PASSWORD", "") or ""
    try:
        with open(path, "rb") as f:
            _, certificate, _ = pkcs12.load_key_and_certificates(f.read(), password.encode() or None)
    except (OSError, ValueError):
        return []  # decisions.E001 reports a certificate that cannot be read
    subject = certificate.subject.rfc4514_string() if certificate is not None else ""
    if not any(mark in subject for mark in DEMO_CERTIFICATE_MARKS):
        return []
    return [
        checks.Error(
            "PDFs would be signed with the demo certificate (self-signed by `make_demo_keys`).",
            hint="Set PDF_SIGNING_PKCS12_FILE to the certificate issued for the organisation.",
            id="decisions.E002",
        )
    ]


@checks.register()
def pdf_emoji_font(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    # The path pdf.py reads, without importing WeasyPrint into every command.
    if (settings.BASE_DIR / "templates" / "decisions" / "pdf" / "fonts" / "noto-emoji" / "400.css").exists():
        return []
    return [
        checks.Warning(
            "PDFs will print an empty box for most emoji: the Noto Emoji font is not built.",
            hint="Run `make assets` (it copies npm's @fontsource/noto-emoji into templates/decisions/pdf/fonts/).",
            id="decisions.W001",
        )
    ]
