"""The Ed25519 key that signs audit checkpoints, and the public keys that verify them.

The private key never lives in the database: it comes from a file (`AUDIT_SIGNING_KEY_FILE`, PEM) or the
environment (`AUDIT_SIGNING_KEY`, PEM text). Someone who can rewrite the database, but cannot read the key,
cannot sign a checkpoint for a rewritten chain.

Rotation: a new key signs from now on; the old key's *public* half goes into `AUDIT_TRUSTED_PUBLIC_KEYS_FILE`
(PEM public keys, one after another), so checkpoints it signed keep verifying. Each checkpoint names its key
by `key_id` (the first 16 hex characters of the SHA-256 of the raw public key).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings


class SigningKeyMissing(RuntimeError):
    """No checkpoint signing key is configured."""


class SigningKeyInvalid(RuntimeError):
    """A key is configured but cannot be read as an Ed25519 key."""


_PEM_BLOCK = re.compile(rb"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----", re.DOTALL)


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


@dataclass(frozen=True)
class SigningKey:
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    @property
    def key_id(self) -> str:
        return key_id(self.public_key)

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self.private_key.sign(message)).decode("ascii")


def _configured_pem() -> tuple[bytes, str] | None:
    text = getattr(settings, "AUDIT_SIGNING_KEY", "") or ""
    if text.strip():
        return text.replace("\\n", "\n").encode("utf-8"), "AUDIT_SIGNING_KEY"
    path = getattr(settings, "AUDIT_SIGNING_KEY_FILE", "") or ""
    if path and Path(path).is_file():
        return Path(path).read_bytes(), str(path)
    return None


_cache: dict[bytes, SigningKey] = {}


def signing_key() -> SigningKey:
    """The configured key, loaded once per process (signing then costs microseconds)."""
    configured = _configured_pem()
    if configured is None:
        raise SigningKeyMissing("No audit checkpoint signing key: set AUDIT_SIGNING_KEY_FILE or AUDIT_SIGNING_KEY")
    pem, source = configured
    if pem not in _cache:
        try:
            key = serialization.load_pem_private_key(pem, password=None)
        except ValueError as exc:
            raise SigningKeyInvalid(f"{source} is not a PEM private key") from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningKeyInvalid(f"{source} is not an Ed25519 key")
        _cache[pem] = SigningKey(key)
    return _cache[pem]


def has_signing_key() -> bool:
    try:
        signing_key()
    except (SigningKeyMissing, SigningKeyInvalid):
        return False
    return True


def trusted_public_keys() -> dict[str, Ed25519PublicKey]:
    """key_id -> public key: the current key's, and every retired key's from the trusted-keys file."""
    keys: dict[str, Ed25519PublicKey] = {}
    path = getattr(settings, "AUDIT_TRUSTED_PUBLIC_KEYS_FILE", "") or ""
    if path and Path(path).is_file():
        for block in _PEM_BLOCK.findall(Path(path).read_bytes()):
            public = serialization.load_pem_public_key(block)
            if isinstance(public, Ed25519PublicKey):
                keys[key_id(public)] = public
    if has_signing_key():
        current = signing_key()
        keys[current.key_id] = current.public_key
    return keys


def verify_signature(public_key: Ed25519PublicKey, message: bytes, signature: str) -> bool:
    try:
        public_key.verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def new_private_key_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def public_key_pem(private_pem: bytes) -> bytes:
    key = serialization.load_pem_private_key(private_pem, password=None)
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
