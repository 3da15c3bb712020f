"""Deployment check: production signs its PDFs with its own certificate."""

from __future__ import annotations

from typing import Any

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
