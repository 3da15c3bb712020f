"""The subject access bundle, built by the background workers the same way as a bulk export (exports/tasks.py).

Every file is split the same way, record by record, so nothing from a record that names someone else, or that
holds free text (which may name someone: a police officer, a neighbour), is in a releasable file:
- `releasable/`: the records that name only this person and hold no free text: each one's signed audit-record
  PDF, and `records.json` and `records.csv` with their data;
- `review-before-release/`: every other record, the same three kinds of file, for the officer to review (and
  redact) before release. People whose identity is protected are withheld from its JSON and CSV (the signed PDFs
  cannot change: they show them, and say so);
- `README.txt`: what the folders hold, with their counts. A folder with no records is left out.

Chunks write each record's PDF and JSON into a zip of their own in the export storage; the worker that finishes
the last chunk joins them. Personal data never goes into the chunk rows in the database (they hold file names and
ids), only into the storage, whose files are deleted when the download time ends.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import re
import tempfile
import zipfile
from typing import IO, Any

from crispy_forms_gds.fields import DateInputField
from django import forms
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from audit import actions
from audit import services as audit
from background import runner
from background.models import Chunk, Job
from decisions import pdf, signing
from decisions.choices import ConsentStatus, Outcome, PersonPart, ReviewStatus
from decisions.forms import PersonChoiceField
from decisions.models import DecisionPerson, DecisionVersion
from decisions.permissions import Can, has
from decisions.wizard import flow_of

from .models import DOWNLOAD_FOR, ExportStatus, SubjectAccessRequest
from .selectors import decisions_for_subject_access
from .services import NOTHING_ABOUT_PERSON, subject_access_expired
from .storage import delete_folder, delete_quietly, export_storage
from .tasks import ZipFileJob, _spreadsheet_safe, refuse_disposed

logger = logging.getLogger(__name__)

KIND = "exports.subject_access.bundle"
FAILED = (
    "The bundle stopped because of a problem on our side. Try again. If it fails again, contact the service's "
    "support team and give them the request number, {pk}."
)
STORAGE_FAILED = (
    "The bundle could not be saved: the export storage is full, or cannot be written to or read from. Nothing "
    "from this attempt was kept. Try again later. If it fails again, contact the service's support team and give "
    "them the request number, {pk}."
)
NO_LONGER_ALLOWED = (
    "The bundle was not made because the person who asked for it may no longer make subject access bundles."
)
PERSON_GONE = "The bundle was not made because the person's details have been removed from the service."
DISPOSED_DURING = (
    "The bundle was not made because a record in it was disposed of while it was being made. Start it again to "
    "make it without that record."
)
CSV_HEADER = [
    "Reference",
    "Version",
    "Submitted at (UK time)",
    "What was decided",
    "Consent",
    "Review",
    "Case reference",
    "Their part in the record",
    "Names other people (review before release)",
    "Other people named",
    "Why it needs review",
    "PDF",
    "Verification code",
]
RELEASABLE_FOLDER = "releasable"
REVIEW_FOLDER = "review-before-release"
WITHHELD = "[withheld: identity protected]"
NAMES_OTHERS = "Names other people"
FREE_TEXT = "Holds free text, which may name other people"
PROTECTED = "Names someone whose identity is protected"
README_HEAD = """Subject access bundle {pk}
Made {made} by {by} for {organisation}.

Records about the person in this bundle: {total}.
Releasable as they are: {releasable}. To review before release: {review}.

"""
README_RELEASABLE = """releasable/ ({count})
    Records that name only this person and hold no free text: each one's signed audit record (PDF),
    records.json (every version's answers) and records.csv (one row per record, for a spreadsheet).

"""
README_REVIEW = """review-before-release/ ({count})
    Records that name other people ({others}) or hold free text, which may name other people ({free_text}):
    the same three kinds of file. Review each one and remove other people's information before you release
    anything from this folder. People whose identity is protected (in {protected}) are withheld from
    records.json and records.csv, but the signed PDFs show them: never release a PDF from this folder as it is.

"""
README_TAIL = """Check a PDF's signature and verification code at {verify_url}.
"""


class BundleStopped(runner.JobStopped):
    """The bundle cannot go on, for a reason the user is told."""


def _attempt_folder(request_id: int, attempt: int) -> str:
    return f"subject-access/{request_id}/attempt-{attempt}"


def attempt_files_delete(request_id: int, attempt: int) -> None:
    delete_folder(_attempt_folder(request_id, attempt))


def _save(name: str, content: IO[bytes]) -> str:
    content.seek(0)
    return export_storage().save(name, File(content, name=name.rsplit("/", 1)[-1]))


def _uk(moment: Any) -> str:
    return f"{timezone.localtime(moment, pdf.LONDON):%-d %B %Y, %H:%M}"


# Planning -------------------------------------------------------------------------------------------------


def _claim(request_id: int) -> tuple[int, list[int]] | None:
    """Mark a queued request running, fix which records it holds and plan its chunks. None if not queued."""
    with transaction.atomic():
        found = (
            SubjectAccessRequest.objects.select_for_update(of=("self",))
            .select_related("requested_by", "person")
            .filter(pk=request_id)
            .first()
        )
        if found is None or found.status != ExportStatus.QUEUED:
            return None
        version_ids: list[int] = []
        if found.person is not None:
            version_ids = [
                v
                for v in decisions_for_subject_access(found.requested_by, found.person).values_list(
                    "current_version_id", flat=True
                )
                if v is not None
            ]
        now = timezone.now()
        found.status = ExportStatus.RUNNING
        found.attempts += 1
        found.total = len(version_ids)
        found.done = 0
        found.naming_others = 0
        found.for_review = 0
        found.started_at = now
        found.updated_at = now
        found.save(
            update_fields=[
                "status",
                "attempts",
                "total",
                "done",
                "naming_others",
                "for_review",
                "started_at",
                "updated_at",
            ]
        )
        if version_ids and has(found.requested_by, Can.SUBJECT_ACCESS):
            size = max(1, int(getattr(settings, "EXPORT_CHUNK_SIZE", 25)))
            batches = [version_ids[i : i + size] for i in range(0, len(version_ids), size)]
            runner.start(
                kind=KIND,
                owner_id=found.pk,
                attempt=found.attempts,
                chunks=[({"versions": batch}, len(batch)) for batch in batches],
            )
        return found.attempts, version_ids


def run_bundle(request_id: int) -> str:
    """Plan the bundle's chunks (the workers run them). With the immediate backend, the whole bundle."""
    prune_expired_bundles()
    claimed = _claim(request_id)
    if claimed is None:
        return "skipped"
    attempt, version_ids = claimed
    found = SubjectAccessRequest.objects.select_related("requested_by").get(pk=request_id)
    if not has(found.requested_by, Can.SUBJECT_ACCESS):
        _fail(found.pk, attempt, NO_LONGER_ALLOWED)
        return "stopped"
    if found.person_id is None:
        _fail(found.pk, attempt, PERSON_GONE)
        return "stopped"
    if not version_ids:
        _fail(found.pk, attempt, NOTHING_ABOUT_PERSON)
        return "stopped"
    found.refresh_from_db(fields=["status"])
    return found.status


def _fail(request_id: int, attempt: int, message: str) -> None:
    SubjectAccessRequest.objects.filter(pk=request_id, attempts=attempt).exclude(status=ExportStatus.READY).update(
        status=ExportStatus.FAILED, error_message=message, finished_at=timezone.now(), updated_at=timezone.now()
    )


# One record's data ----------------------------------------------------------------------------------------


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{2}:\d{2}(:\d{2})?")


def _has_text(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, dict):
        return any(_has_text(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_text(v) for v in value)
    return False


def _structured(field: forms.Field | None, value: Any) -> bool:
    """Whether a stored value is sure to be a choice or a date, not something a person typed."""
    if isinstance(field, PersonChoiceField):
        return True  # a person on the record: the people check covers them
    if isinstance(field, forms.MultipleChoiceField):
        return isinstance(value, list) and all(isinstance(v, str) and field.valid_value(v) for v in value)
    if isinstance(field, forms.ChoiceField):
        return isinstance(value, str) and field.valid_value(value)
    if isinstance(field, (forms.DateField, DateInputField)):
        return isinstance(value, str) and _ISO_DATE.fullmatch(value) is not None
    if isinstance(field, forms.TimeField):
        return isinstance(value, str) and _TIME.fullmatch(value) is not None
    return False


def _free_text(version: DecisionVersion) -> bool:
    """Whether any answer of the version is typed text. Anything not known to be a choice or a date counts."""
    if version.amendment_reason.strip():
        return True
    flow = flow_of(version)
    for key, stored in (version.answers or {}).items():
        step = flow.step(key)
        if not isinstance(stored, dict) or step is None:
            if _has_text(stored):
                return True
            continue
        fields = step.form_class.base_fields
        for name, value in stored.items():
            if key == "people" and name == "people":
                continue  # people are rows, checked on their own
            if _has_text(value) and not _structured(fields.get(name), value):
                return True
    return False


def _people_entries(answers: dict[str, Any]) -> list[dict[str, Any]]:
    entries = (answers.get("people") or {}).get("people") if isinstance(answers.get("people"), dict) else None
    return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []


def _consent_from(version: DecisionVersion) -> list[str]:
    """Person ids the version's person-choice answers point at (whom consent was sought from)."""
    flow = flow_of(version)
    found = []
    for key, stored in (version.answers or {}).items():
        step = flow.step(key)
        if step is None or not isinstance(stored, dict):
            continue
        for name, value in stored.items():
            if isinstance(step.form_class.base_fields.get(name), PersonChoiceField) and value not in (None, ""):
                found.append(str(value))
    return found


def review_reasons(versions: list[DecisionVersion], links: list[DecisionPerson], subject_id: int) -> list[str]:
    """Why a record must be reviewed before release (none: releasable as it is). Every version counts: an
    earlier one may name someone the current one does not."""
    others = any(link.person_id != subject_id for link in links)
    protected = any(link.protect_identity and link.person_id != subject_id for link in links)
    for v in versions:
        for entry in _people_entries(v.answers or {}):
            if entry.get("person_id") != subject_id:
                others = True
                protected = protected or bool(entry.get("protect_identity"))
        others = others or any(pid != str(subject_id) for pid in _consent_from(v))
    reasons = []
    if others:
        reasons.append(NAMES_OTHERS)
    if protected:
        reasons.append(PROTECTED)
    if any(_free_text(v) for v in versions):
        reasons.append(FREE_TEXT)
    return reasons


def _protected_people(
    versions: list[DecisionVersion], links: list[DecisionPerson], subject_id: int
) -> tuple[set[int], list[str]]:
    """Ids and names of the people other than the subject whose identity any version, or the record, protects."""
    ids = {link.person_id for link in links if link.protect_identity and link.person_id != subject_id}
    for v in versions:
        for entry in _people_entries(v.answers or {}):
            if entry.get("protect_identity") and entry.get("person_id") != subject_id:
                ids.add(entry.get("person_id"))  # type: ignore[arg-type]
    names = {link.person.full_name for link in links if link.person_id in ids}
    for v in versions:
        entries = _people_entries(v.answers or {})
        names |= {str(e["full_name"]) for e in entries if e.get("person_id") in ids and e.get("full_name")}
    # Longest first, so a full name goes before a part of it.
    return ids, sorted((n for n in names if n.strip()), key=len, reverse=True)


def _withhold(value: Any, ids: set[int], names: list[str]) -> Any:
    """`value` with protected people's entries blanked and their names taken out of any text."""
    if isinstance(value, str):
        for name in names:
            value = re.sub(re.escape(name), WITHHELD, value, flags=re.IGNORECASE)
        return value
    if isinstance(value, list):
        return [_withhold(v, ids, names) for v in value]
    if isinstance(value, dict):
        kept = {k: _withhold(v, ids, names) for k, v in value.items()}
        if "full_name" in value and value.get("person_id") in ids:
            kept.update(full_name=WITHHELD, date_of_birth=None)
        return kept
    return value


def _record(version: DecisionVersion, subject_id: int) -> dict[str, Any]:
    """Everything the service holds about one decision, as JSON: the people it names and every version, which
    folder it goes in and why. People whose identity is protected are withheld (only ever in the review folder)."""
    decision = version.decision
    links = list(DecisionPerson.objects.filter(decision=decision).select_related("person").order_by("position", "pk"))
    versions = list(decision.versions.select_related("submitted_by").order_by("number"))
    reasons = review_reasons(versions, links, subject_id)
    protected_ids, protected_names = _protected_people(versions, links, subject_id)
    folder = REVIEW_FOLDER if reasons else RELEASABLE_FOLDER
    people = [
        {
            "name": link.person.full_name,
            "date_of_birth": link.person.date_of_birth.isoformat() if link.person.date_of_birth else None,
            "date_of_birth_accuracy": link.person.birth_date_accuracy,
            "part": PersonPart(link.part).label if link.part in PersonPart.values else link.part,
            "identity_protected": link.protect_identity or link.person_id in protected_ids,
            "is_the_subject": link.person_id == subject_id,
        }
        for link in links
    ]
    for person, link in zip(people, links, strict=True):
        if link.person_id in protected_ids:
            person.update(name=WITHHELD, date_of_birth=None, date_of_birth_accuracy="")
    subject_part = next((p["part"] for p in people if p["is_the_subject"]), "")
    others = [p for p in people if not p["is_the_subject"]]
    record = {
        "reference": decision.reference,
        "case_reference": decision.case_reference,
        "team": decision.team.name if decision.team else "",
        "edition": decision.edition,
        "outcome": Outcome(decision.outcome).label if decision.outcome else "",
        "consent": ConsentStatus(version.consent_status).label,
        "review": ReviewStatus(decision.review_status).label,
        "current_version": version.number,
        "pdf": f"{folder}/{pdf.filename_for(version)}",
        "folder": folder,
        "review_reasons": reasons,
        "verification_code": pdf.group_code(version.content_hash),
        "subject_part": subject_part,
        "names_other_people": NAMES_OTHERS in reasons,
        "other_people_named": len(others),
        "people": people,
        "versions": [
            {
                "number": v.number,
                "submitted_at": v.submitted_at.isoformat(),
                "submitted_by": v.submitted_by.get_full_name() or v.submitted_by.get_username(),
                "amendment_reason": v.amendment_reason,
                "content_hash": v.content_hash,
                "answers": v.answers,
            }
            for v in versions
        ],
    }
    if protected_ids:
        record["versions"] = _withhold(record["versions"], protected_ids, protected_names)
        record["case_reference"] = _withhold(record["case_reference"], protected_ids, protected_names)
    return record


def _csv(records: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for r in records:
        current = next(v for v in r["versions"] if v["number"] == r["current_version"])
        writer.writerow(
            [
                r["reference"],
                r["current_version"],
                _uk(dt.datetime.fromisoformat(current["submitted_at"])),
                r["outcome"],
                r["consent"],
                r["review"],
                _spreadsheet_safe(r["case_reference"]),
                r["subject_part"],
                "Yes" if r["names_other_people"] else "No",
                r["other_people_named"],
                "; ".join(r["review_reasons"]),
                r["pdf"],
                r["verification_code"],
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _readme(found: SubjectAccessRequest, records: list[dict[str, Any]]) -> str:
    """What the bundle holds, counted from the records themselves, naming only the folders it has."""
    review = [r for r in records if r["folder"] == REVIEW_FOLDER]
    releasable = len(records) - len(review)
    text = README_HEAD.format(
        pk=found.pk,
        made=_uk(timezone.now()),
        by=found.requested_by.get_full_name() or found.requested_by.get_username(),
        organisation=found.organisation.name,
        total=len(records),
        releasable=releasable,
        review=len(review),
    )
    if releasable:
        text += README_RELEASABLE.format(count=releasable)
    if review:
        text += README_REVIEW.format(
            count=len(review),
            others=sum(1 for r in review if NAMES_OTHERS in r["review_reasons"]),
            free_text=sum(1 for r in review if FREE_TEXT in r["review_reasons"]),
            protected=sum(1 for r in review if PROTECTED in r["review_reasons"]),
        )
    return text + README_TAIL.format(verify_url=found.verify_url)


# The chunks and the finished bundle -----------------------------------------------------------------------


class SubjectAccessBundle(ZipFileJob):
    model = SubjectAccessRequest

    def run_chunk(self, job: Job, chunk: Chunk, progress: runner.Progress) -> dict[str, Any]:
        found = SubjectAccessRequest.objects.select_related("requested_by").get(pk=job.owner_id)
        if not has(found.requested_by, Can.SUBJECT_ACCESS):
            raise BundleStopped(NO_LONGER_ALLOWED)
        if found.person_id is None:
            raise BundleStopped(PERSON_GONE)
        rows: list[dict[str, Any]] = []
        with tempfile.TemporaryFile() as part:
            with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_STORED) as archive:
                for done, version_id in enumerate(chunk.payload["versions"], start=1):
                    version = DecisionVersion.objects.select_related(
                        "decision", "decision__organisation", "decision__team", "decision__owner", "submitted_by"
                    ).get(pk=version_id)
                    record = _record(version, found.person_id)
                    data = pdf.render_pdf(version, generated_by=found.requested_by, verify_url=found.verify_url)
                    assert data is not None  # bytes when no target is given
                    archive.writestr(record["pdf"], signing.sign_pdf(data))
                    archive.writestr(
                        f"data/{version.decision.reference}.json",
                        json.dumps(record, ensure_ascii=False),
                        compress_type=zipfile.ZIP_DEFLATED,
                    )
                    rows.append(
                        {
                            "decision_id": version.decision_id,
                            "reference": version.decision.reference,
                            "version": version.number,
                            "content_hash": version.content_hash,
                            "names_others": record["names_other_people"],
                            "for_review": record["folder"] == REVIEW_FOLDER,
                        }
                    )
                    progress(done)
            name = f"{_attempt_folder(found.pk, job.attempt)}/chunk-{chunk.index:05d}-{chunk.token}.zip"
            stored = _save(name, part)
        return {"part": stored, "rows": rows}

    def finish(self, job: Job, chunks: list[Chunk], finishing: runner.Finishing) -> None:
        found = SubjectAccessRequest.objects.select_related("requested_by", "organisation").get(pk=job.owner_id)
        if not has(found.requested_by, Can.SUBJECT_ACCESS):
            raise BundleStopped(NO_LONGER_ALLOWED)
        rows = [row for chunk in chunks for row in (chunk.result or {})["rows"]]
        storage = export_storage()
        names: set[str] = set()
        records: list[dict[str, Any]] = []
        with tempfile.TemporaryFile() as joined:
            with zipfile.ZipFile(joined, "w", compression=zipfile.ZIP_STORED) as archive:
                for chunk in chunks:
                    with storage.open((chunk.result or {})["part"], "rb") as f, zipfile.ZipFile(f) as part:
                        for info in part.infolist():
                            if info.filename.startswith("data/"):
                                records.append(json.loads(part.read(info)))
                                continue
                            if info.filename in names:
                                raise RuntimeError(f"{info.filename} came from two chunks")  # never publish that
                            names.add(info.filename)
                            archive.writestr(zipfile.ZipInfo(info.filename, date_time=info.date_time), part.read(info))
                            finishing.renew()
                if len(names) != found.total or len(records) != found.total:
                    raise RuntimeError(f"{len(names)} PDFs and {len(records)} records for {found.total} decisions")
                others = sum(1 for r in records if r["names_other_people"])
                for_review = sum(1 for r in records if r["folder"] == REVIEW_FOLDER)
                deflated = zipfile.ZIP_DEFLATED
                # Each folder's data files hold only that folder's records: nothing from a record for review is
                # ever in a releasable file.
                for folder in (RELEASABLE_FOLDER, REVIEW_FOLDER):
                    held = [r for r in records if r["folder"] == folder]
                    if not held:
                        continue
                    archive.writestr(
                        f"{folder}/records.json", json.dumps(held, ensure_ascii=False, indent=1), compress_type=deflated
                    )
                    archive.writestr(f"{folder}/records.csv", _csv(held), compress_type=deflated)
                archive.writestr("README.txt", _readme(found, records), compress_type=deflated)
            size = joined.tell()
            joined.seek(0)
            digest = hashlib.file_digest(joined, "sha256").hexdigest()
            stored = _save(f"subject-access/{found.pk}/bundle-{job.attempt}-{finishing.token}.zip", joined)
        try:
            with transaction.atomic():
                finishing.complete()
                refuse_disposed([row["decision_id"] for row in rows], BundleStopped(DISPOSED_DURING))
                self._publish(found, job, rows, others, for_review, stored, size, digest)
        except BaseException:
            delete_quietly(stored)
            raise
        attempt_files_delete(found.pk, job.attempt)

    def _publish(
        self, found: SubjectAccessRequest, job: Job, rows: list[dict[str, Any]], others: int, for_review: int,
        name: str, size: int, digest: str,
    ) -> None:  # fmt: skip
        """Mark the bundle ready and record one PDF export per record, together."""
        current = SubjectAccessRequest.objects.select_for_update().get(pk=found.pk)
        if current.status != ExportStatus.RUNNING or current.attempts != job.attempt:
            raise runner.Superseded
        now = timezone.now()
        current.status = ExportStatus.READY
        current.done = len(rows)
        current.naming_others = others
        current.for_review = for_review
        current.finished_at = now
        current.updated_at = now
        current.expires_at = now + DOWNLOAD_FOR
        current.file_name = name
        current.file_size = size
        current.file_sha256 = digest
        current.save(
            update_fields=[
                "status", "done", "naming_others", "for_review", "finished_at", "updated_at", "expires_at", "file_name",
                "file_size", "file_sha256",
            ]
        )  # fmt: skip
        for row in rows:
            audit.record(
                action=actions.PDF_EXPORT,
                actor=found.requested_by,
                organisation=found.organisation_id,
                target_type="decisions.decision",
                target_id=row["decision_id"],
                target_ref=row["reference"],
                details={"version": row["version"], "content_hash": row["content_hash"], "subject_access": found.pk},
            )

    failed_text = FAILED
    storage_failed_text = STORAGE_FAILED

    def fail_attempt(self, owner_id: int, attempt: int, message: str) -> None:
        _fail(owner_id, attempt, message)

    def delete_attempt(self, owner_id: int, attempt: int) -> None:
        attempt_files_delete(owner_id, attempt)


bundle = SubjectAccessBundle()


def prune_expired_bundles() -> int:
    """Delete the bundles whose download time has passed, each audited. Their rows stay, as the record."""
    removed = 0
    for found in SubjectAccessRequest.objects.filter(status=ExportStatus.READY, expires_at__lte=timezone.now()).exclude(
        file_name=""
    ):
        subject_access_expired(subject_access=found)
        removed += 1
    return removed


@task()
def build_subject_access_bundle(request_id: int) -> str:
    return run_bundle(request_id)
