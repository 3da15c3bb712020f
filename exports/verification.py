"""Is a verification code, or an uploaded audit-record PDF, a true copy of a version we hold?

The code is the version's `content_hash`. Anyone may check, signed in or not, since the PDF sends its reader
here. A match needs: a stored version, of any organisation on this service, with that hash; that version's
content still hashing to it (a row edited in the database fails here); and, for an upload, the record attached
to the PDF hashing to its stated code with the same code printed on the first page (an edited attachment, or a
changed printed code, fails here), and the PDF's digital signature intact, ours, and covering the whole file (a
removed page or a changed word fails here).

PDFs exported before signing began carry no signature. Their attached record is checked as before, but the
result never says "genuine": nothing vouches for their printed pages, so the page says the record matches
and the printed pages cannot be checked (and a page count that differs from "Page 1 of N" is "changed").
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from decisions.choices import DecisionStatus
from decisions.models import Decision, DecisionVersion
from decisions.pdf import AttachedRecord, group_code
from decisions.permissions import membership_of
from decisions.selectors import decisions_for_user
from decisions.signing import SignatureCheck, SignatureState


class Result(StrEnum):
    MATCH = "match"
    NO_MATCH = "no_match"
    RECORD_ALTERED = "record_altered"
    DOCUMENT_ALTERED = "document_altered"
    # The attached record matches, but the PDF carries no signature (made before signing began, or stripped).
    UNSIGNED = "unsigned"


@dataclass(frozen=True)
class Verdict:
    result: Result
    code: str
    version: DecisionVersion | None = None
    current: DecisionVersion | None = None
    can_view: bool = False
    problems: list[str] = field(default_factory=list)
    signer: str = ""
    # The checker works for the organisation that issued the record: only they are told more than the PDF holds
    # (that it was amended since, or that the stored record was altered).
    insider: bool = False

    @property
    def decision(self) -> Decision | None:
        return self.version.decision if self.version is not None else None

    @property
    def grouped_code(self) -> str:
        return group_code(self.code)

    @property
    def issuer(self) -> str:
        return self.version.decision.organisation.name if self.version is not None else ""

    @property
    def is_current(self) -> bool:
        return self.version is not None and self.current is not None and self.version.pk == self.current.pk


def _stored_version(code: str) -> DecisionVersion | None:
    return (
        DecisionVersion.objects.select_related("decision", "decision__organisation", "submitted_by", "previous")
        .filter(content_hash=code)
        # A disposed record's content is gone: its code no longer matches anything held (the tombstone keeps it).
        .exclude(decision__status=DecisionStatus.DISPOSED)
        .first()
    )


def _verdict_for_stored(user: Any, code: str, problems: list[str]) -> Verdict:
    version = _stored_version(code)
    if version is None:
        return Verdict(Result.NO_MATCH, code)
    decision = version.decision
    membership = membership_of(user) if getattr(user, "is_authenticated", False) else None
    insider = membership is not None and membership.organisation_id == decision.organisation_id
    current = decision.versions.select_related("submitted_by").order_by("-number").first() if insider else None
    can_view = insider and decisions_for_user(user).filter(pk=decision.pk).exists()
    if version.compute_content_hash() != code:
        return Verdict(
            Result.RECORD_ALTERED,
            code,
            version,
            current,
            can_view,
            ["The stored record no longer matches its own verification code."],
            insider=insider,
        )
    if problems:
        return Verdict(Result.DOCUMENT_ALTERED, code, version, current, can_view, problems, insider=insider)
    return Verdict(Result.MATCH, code, version, current, can_view, insider=insider)


def verify_code(user: Any, code: str) -> Verdict:
    """`code` already normalised: 64 lower-case hex characters."""
    return _verdict_for_stored(user, code, [])


def verify_attached_record(user: Any, record: AttachedRecord, signature: SignatureCheck | None = None) -> Verdict:
    signature = signature or SignatureCheck(SignatureState.UNSIGNED)
    problems = list(signature.problems)
    if signature.state == SignatureState.UNSIGNED and record.printed_page_total not in (None, record.page_count):
        problems.append(
            f"The PDF has {record.page_count} pages but its first page says it has {record.printed_page_total}."
        )
    if record.computed_code != record.stated_code:
        problems.append("The record attached to the PDF has been changed since the PDF was made.")
    if record.stated_code not in record.printed_codes:
        problems.append("The code printed on the first page does not match the record attached to the PDF.")
    verdict = _verdict_for_stored(user, record.stated_code, problems)
    if verdict.result == Result.NO_MATCH and problems:
        return Verdict(Result.DOCUMENT_ALTERED, record.stated_code, problems=problems)
    if verdict.result == Result.MATCH and signature.state == SignatureState.UNSIGNED:
        return replace(verdict, result=Result.UNSIGNED)
    if verdict.result == Result.MATCH:
        return replace(verdict, signer=signature.signer)
    return verdict
