"""Digital signatures on exported PDFs (PAdES, made with pyHanko), and checking them.

`sign_pdf` is the one function every export calls (the single PDF, bulk export, subject-access bundles).
It adds a PAdES baseline signature as an incremental update: the PDF/A-3b document WeasyPrint wrote stays
byte for byte as the first revision, and the signature covers the whole file. The signature is a
certification signature that allows no changes, so a page removed, a printed word changed, or anything
added after signing shows: the signature no longer verifies, or no longer covers the whole file.

The certificate and key come from a PKCS#12 file (`PDF_SIGNING_PKCS12_FILE`, with
`PDF_SIGNING_PKCS12_PASSWORD`), never from the database. `make run` makes a self-signed demo one.
Certificates that signed earlier PDFs (before a renewal) go in `PDF_TRUSTED_CERTS_FILE`.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

FIELD_NAME = "RecordSignature"
SIGNATURE_REASON = "Audit record issued by the information sharing decisions service"


class SigningNotConfigured(RuntimeError):
    """No PKCS#12 file to sign with."""


@dataclass(frozen=True)
class _Material:
    signer: Any
    certificates: tuple[Any, ...]


_cache: dict[tuple[str, float, str], _Material] = {}


def _signer_class() -> Any:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from pyhanko.sign import signers
    from pyhanko.sign.general import get_pyca_cryptography_hash

    class CachedKeySigner(signers.SimpleSigner):
        """pyHanko parses the private key again for every signature; for RSA that reruns OpenSSL's key check,
        about 100 ms, twice per PDF. The parsed key is kept instead."""

        _parsed: Any = None

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
            if mechanism != "rsassa_pkcs1v15":
                return bytes(super().sign_raw(data, digest_algorithm))
            if self._parsed is None:
                self._parsed = serialization.load_der_private_key(self.signing_key.dump(), password=None)
            assert isinstance(self._parsed, RSAPrivateKey)
            return self._parsed.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))

    return CachedKeySigner


def _pkcs12_path() -> Path | None:
    path = getattr(settings, "PDF_SIGNING_PKCS12_FILE", "") or ""
    return Path(path) if path and Path(path).is_file() else None


def _material() -> _Material:
    """The signer, loaded once per process and again if the file changes."""
    from pyhanko.sign import signers

    path = _pkcs12_path()
    if path is None:
        raise SigningNotConfigured("No PDF signing certificate: set PDF_SIGNING_PKCS12_FILE")
    password = getattr(settings, "PDF_SIGNING_PKCS12_PASSWORD", "") or ""
    cache_key = (str(path), path.stat().st_mtime, password)
    if cache_key not in _cache:
        loaded = signers.SimpleSigner.load_pkcs12(str(path), passphrase=password.encode() if password else None)
        if loaded is None:
            raise SigningNotConfigured(f"{path} cannot be read as a PKCS#12 file with the given password")
        signer = _signer_class()(
            signing_cert=loaded.signing_cert, signing_key=loaded.signing_key, cert_registry=loaded.cert_registry
        )
        certificates = (signer.signing_cert, *signer.cert_registry)
        _cache.clear()
        _cache[cache_key] = _Material(signer, certificates)
    return _cache[cache_key]


def is_configured() -> bool:
    try:
        _material()
    except (SigningNotConfigured, ValueError, OSError):
        return False
    return True


def sign_pdf(data: bytes) -> bytes:
    """`data` (a PDF) with a PAdES signature over the whole file, added as an incremental update."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    class KeepMetadataWriter(IncrementalPdfFileWriter):
        """pyHanko would rewrite the XMP producer and date but only append to the Info producer, leaving the two
        inconsistent, which PDF/A forbids. The signature needs neither: WeasyPrint's metadata stays as is."""

        def _update_meta(self) -> None:
            return None

    material = _material()
    writer = KeepMetadataWriter(io.BytesIO(data))
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=SIGNATURE_REASON,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
    )
    out = io.BytesIO()
    signers.sign_pdf(writer, meta, signer=material.signer, output=out)
    return out.getvalue()


def trusted_certificates() -> list[Any]:
    """The current signing certificate (and its chain), and any older ones kept for verification."""
    from asn1crypto import pem, x509

    trusted: list[Any] = []
    if is_configured():
        trusted.extend(_material().certificates)
    path = getattr(settings, "PDF_TRUSTED_CERTS_FILE", "") or ""
    if path and Path(path).is_file():
        for _, _, der in pem.unarmor(Path(path).read_bytes(), multiple=True):
            trusted.append(x509.Certificate.load(der))
    return trusted


class SignatureState(StrEnum):
    VALID = "valid"  # signed by us, intact, covering the whole file, nothing added after
    UNSIGNED = "unsigned"  # no signature at all (PDFs made before signing began, or a signature removed)
    CHANGED = "changed"  # a signature that does not verify, covers only part of the file, or is not ours


@dataclass(frozen=True)
class SignatureCheck:
    state: SignatureState
    problems: list[str] = field(default_factory=list)
    signer: str = ""


def check_signature(data: bytes) -> SignatureCheck:
    """Does the PDF carry our signature, intact and over the whole file?"""
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = list(reader.embedded_signatures)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        logger.info("PDF signature could not be read: %s", exc)
        return SignatureCheck(SignatureState.CHANGED, ["The PDF's digital signature cannot be read."])
    if not signatures:
        return SignatureCheck(SignatureState.UNSIGNED)
    if len(signatures) != 1:
        return SignatureCheck(SignatureState.CHANGED, ["The PDF has been signed again since this service signed it."])
    context = ValidationContext(trust_roots=trusted_certificates(), allow_fetching=False)
    try:
        status = validate_pdf_signature(signatures[0], context)
    except Exception as exc:  # noqa: BLE001 - any failure to validate is a failure, reported plainly
        logger.info("PDF signature did not validate: %s", exc)
        return SignatureCheck(SignatureState.CHANGED, ["The PDF's digital signature cannot be checked."])
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    problems = []
    if not status.intact or not status.valid:
        problems.append("The PDF has been changed since it was signed: its digital signature no longer matches.")
    elif status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        problems.append("Something was added to the PDF after it was signed (pages or text may have been changed).")
    elif not status.trusted:
        problems.append("The PDF's digital signature was not made by this service.")
    signer = status.signing_cert.subject.human_friendly if status.signing_cert is not None else ""
    if problems:
        return SignatureCheck(SignatureState.CHANGED, problems, signer)
    return SignatureCheck(SignatureState.VALID, [], signer)


def make_self_signed_pkcs12(common_name: str, organisation: str, *, days: int = 825, password: str = "") -> bytes:
    """A self-signed certificate and key as PKCS#12, for the demo and tests (production uses an issued one)."""
    import datetime as dt

    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, NoEncryption, pkcs12
    from cryptography.x509.oid import NameOID

    # RSA, not EC: pyHanko marks an ECDSA-signed file as PDF 2.0 (ISO 32002), which PDF/A-3 (PDF 1.7) is not.
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = cx509.Name(
        [
            cx509.NameAttribute(NameOID.COMMON_NAME, common_name),
            cx509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    certificate = (
        cx509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(cx509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(cx509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            cx509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    encryption = BestAvailableEncryption(password.encode()) if password else NoEncryption()
    return pkcs12.serialize_key_and_certificates(common_name.encode(), key, certificate, None, encryption)
