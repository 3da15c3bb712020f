"""Deployment check: production signs its audit checkpoints with its own key."""

from __future__ import annotations

from typing import Any

from django.core import checks

from . import keys


@checks.register(checks.Tags.security, deploy=True)
def checkpoint_signing_key(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        keys.signing_key()
    except (keys.SigningKeyMissing, keys.SigningKeyInvalid) as exc:
        return [
            checks.Error(
                f"Audit checkpoints cannot be signed: {exc}.",
                hint="Set AUDIT_SIGNING_KEY_FILE to an Ed25519 private key (PEM) kept outside the database, "
                "or AUDIT_SIGNING_KEY to its text. The README explains how to make one and how to rotate it.",
                id="audit.E001",
            )
        ]
    return []
