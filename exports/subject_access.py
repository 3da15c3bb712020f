"""The subject access bundle, built by the background workers the same way as a bulk export (exports/tasks.py).

The bundle is a zip of:
- `records/…pdf`: each record's signed audit-record PDF (its current version), and
  `records-naming-other-people/…pdf` for a record that also names someone else, so the officer sees at a glance
  which ones hold third-party data to review (and redact) before release;
- `records.json`: every record's data, each version's stored answers included, with the people it names;
- `records.csv`: one row per record, with a column saying whether it names other people;
- `README.txt`: what the files are.

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
import tempfile
import zipfile
from typing import IO, Any

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
from decisions.models import DecisionPerson, DecisionVersion
from decisions.permissions import Can, has

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
    "PDF",
    "Verification code",
]
PLAIN_FOLDER = "records"
OTHERS_FOLDER = "records-naming-other-people"
README = """Subject access bundle {pk}
Made {made} by {by} for {organisation}.

{total} records about the person are in this bundle. {others} of them also name other people.

records/                        the audit record (signed PDF) of each record that names only this person
records-naming-other-people/    the audit record of each record that also names someone else: review and
                                redact third-party information before you release it
records.json                    every record's data, each version's answers included, and who it names
records.csv                     one row per record, for a spreadsheet

Check a PDF's signature and verification code at {verify_url}.
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
        found.started_at = now
        found.updated_at = now
        found.save(update_fields=["status", "attempts", "total", "done", "naming_others", "started_at", "updated_at"])
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


def _record(version: DecisionVersion, subject_id: int, filename: str) -> dict[str, Any]:
    """Everything the service holds about one decision, as JSON: the people it names and every version."""
    decision = version.decision
    links = list(DecisionPerson.objects.filter(decision=decision).select_related("person").order_by("position", "pk"))
    people = [
        {
            "name": link.person.full_name,
            "date_of_birth": link.person.date_of_birth.isoformat() if link.person.date_of_birth else None,
            "date_of_birth_accuracy": link.person.birth_date_accuracy,
            "part": PersonPart(link.part).label if link.part in PersonPart.values else link.part,
            "identity_protected": link.protect_identity,
            "is_the_subject": link.person_id == subject_id,
        }
        for link in links
    ]
    subject_part = next((p["part"] for p in people if p["is_the_subject"]), "")
    others = [p for p in people if not p["is_the_subject"]]
    versions = list(decision.versions.select_related("submitted_by").order_by("number"))
    return {
        "reference": decision.reference,
        "case_reference": decision.case_reference,
        "team": decision.team.name if decision.team else "",
        "edition": decision.edition,
        "outcome": Outcome(decision.outcome).label if decision.outcome else "",
        "consent": ConsentStatus(version.consent_status).label,
        "review": ReviewStatus(decision.review_status).label,
        "current_version": version.number,
        "pdf": filename,
        "verification_code": pdf.group_code(version.content_hash),
        "subject_part": subject_part,
        "names_other_people": bool(others),
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
                r["pdf"],
                r["verification_code"],
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


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
                    names_others = (
                        DecisionPerson.objects.filter(decision_id=version.decision_id)
                        .exclude(person_id=found.person_id)
                        .exists()
                    )
                    folder = OTHERS_FOLDER if names_others else PLAIN_FOLDER
                    filename = f"{folder}/{pdf.filename_for(version)}"
                    data = pdf.render_pdf(version, generated_by=found.requested_by, verify_url=found.verify_url)
                    assert data is not None  # bytes when no target is given
                    archive.writestr(filename, signing.sign_pdf(data))
                    record = _record(version, found.person_id, filename)
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
                            "names_others": names_others,
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
                deflated = zipfile.ZIP_DEFLATED
                archive.writestr(
                    "records.json", json.dumps(records, ensure_ascii=False, indent=1), compress_type=deflated
                )
                archive.writestr("records.csv", _csv(records), compress_type=deflated)
                readme = README.format(
                    pk=found.pk,
                    made=_uk(timezone.now()),
                    by=found.requested_by.get_full_name() or found.requested_by.get_username(),
                    organisation=found.organisation.name,
                    total=len(records),
                    others=others,
                    verify_url=found.verify_url,
                )
                archive.writestr("README.txt", readme, compress_type=deflated)
            size = joined.tell()
            joined.seek(0)
            digest = hashlib.file_digest(joined, "sha256").hexdigest()
            stored = _save(f"subject-access/{found.pk}/bundle-{job.attempt}-{finishing.token}.zip", joined)
        try:
            with transaction.atomic():
                finishing.complete()
                refuse_disposed([row["decision_id"] for row in rows], BundleStopped(DISPOSED_DURING))
                self._publish(found, job, rows, others, stored, size, digest)
        except BaseException:
            delete_quietly(stored)
            raise
        attempt_files_delete(found.pk, job.attempt)

    def _publish(
        self, found: SubjectAccessRequest, job: Job, rows: list[dict[str, Any]], others: int, name: str, size: int,
        digest: str,
    ) -> None:  # fmt: skip
        """Mark the bundle ready and record one PDF export per record, together."""
        current = SubjectAccessRequest.objects.select_for_update().get(pk=found.pk)
        if current.status != ExportStatus.RUNNING or current.attempts != job.attempt:
            raise runner.Superseded
        now = timezone.now()
        current.status = ExportStatus.READY
        current.done = len(rows)
        current.naming_others = others
        current.finished_at = now
        current.updated_at = now
        current.expires_at = now + DOWNLOAD_FOR
        current.file_name = name
        current.file_size = size
        current.file_sha256 = digest
        current.save(
            update_fields=[
                "status", "done", "naming_others", "finished_at", "updated_at", "expires_at", "file_name",
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
