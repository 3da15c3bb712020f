"""The audit-record PDF of one decision version.

An archival PDF/A-3b with title and author metadata; the record's canonical JSON attached inside it as
`record.json`; and a verification code, the version's `content_hash`, which the verify page checks against
the stored versions.

Its fonts (Noto Sans, SIL Open Font Licence) ship in templates/decisions/pdf/fonts so the PDF looks the same
on every machine. They are not in static/: only the renderer reads them, and collectstatic would spend half
a minute compressing them on every deploy.

Rendering reuses one FontConfiguration and one pre-parsed stylesheet per process: parsing the CSS and
loading the @font-face rules once saves about a fifth of every render.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Max, Min
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import CSS, HTML, Attachment
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from audit import actions
from audit.actions import LABELS as ACTION_LABELS
from audit.models import AuditEvent

from . import display, wizard
from .choices import ConsentStatus, Outcome
from .forms import RecipientsForm, people_in, person_description
from .guidance import ARTICLE_6, ARTICLE_9, SHARING_METHODS, edition
from .models import Decision, DecisionVersion, canonical_json

FONTS_DIR: Path = settings.BASE_DIR / "templates" / "decisions" / "pdf" / "fonts"
TEMPLATE = "decisions/pdf/record.html"
STYLESHEET_PATH: Path = settings.BASE_DIR / "templates" / "decisions" / "pdf" / "record.css"
PDF_VARIANT = "pdf/a-3b"
ATTACHMENT_NAME = "record.json"
RECORD_FORMAT = "sharing-decisions/record/1"
LONDON = ZoneInfo("Europe/London")
CODE_LENGTH = 64


class FontsOnlyFetcher(URLFetcher):
    """Loads the shipped fonts and nothing else: the record must not depend on, or reach, anything outside."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"file"}, fail_on_errors=True)

    def fetch(self, url: str, headers: Any = None) -> Any:
        path = Path(url.removeprefix("file://").split("?")[0]).resolve()
        if not path.is_relative_to(FONTS_DIR.resolve()):
            raise ValueError(f"Not a shipped font: {url}")
        return super().fetch(url, headers)


FONT_CONFIG = FontConfiguration()
_FETCHER = FontsOnlyFetcher()
STYLESHEET = CSS(
    string=STYLESHEET_PATH.read_text(encoding="utf-8"),
    base_url=FONTS_DIR.as_uri() + "/",
    font_config=FONT_CONFIG,
    url_fetcher=_FETCHER,
)
# Noto Emoji in black and white, from npm (`make assets`; decisions/checks.py warns when it is missing).
EMOJI_STYLESHEET_PATH: Path = FONTS_DIR / "noto-emoji" / "400.css"
STYLESHEETS = [STYLESHEET]
if EMOJI_STYLESHEET_PATH.exists():
    STYLESHEETS.append(CSS(filename=str(EMOJI_STYLESHEET_PATH), font_config=FONT_CONFIG, url_fetcher=_FETCHER))


# The verification code ---------------------------------------------------------------------------------


def group_code(code: str) -> str:
    """`content_hash` as 16 groups of 4, easier to read aloud and compare."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_code(text: str) -> str:
    """What someone typed or pasted, without spaces, hyphens or capitals."""
    return re.sub(r"[\s\-]", "", text).lower()


def is_code(text: str) -> bool:
    return re.fullmatch(r"[0-9a-f]{64}", text) is not None


def attachment_bytes(version: DecisionVersion) -> bytes:
    """The canonical record attached to the PDF. The verify page recomputes the hash from `content`."""
    return canonical_json(
        {"format": RECORD_FORMAT, "verification_code": version.content_hash, "content": version.canonical_content()}
    ).encode("utf-8")


@dataclass(frozen=True)
class AttachedRecord:
    stated_code: str
    content: dict[str, Any]
    printed_codes: frozenset[str]
    # How many pages the PDF has, and how many its first page says it has ("Page 1 of N"), if it says.
    page_count: int = 0
    printed_page_total: int | None = None

    @property
    def computed_code(self) -> str:
        import hashlib

        return hashlib.sha256(canonical_json(self.content).encode("utf-8")).hexdigest()


class NotARecordPdf(ValueError):
    """The upload is not a PDF made by this service, or its attached record cannot be read."""


def read_attached_record(data: bytes) -> AttachedRecord:
    """The record attached to an uploaded PDF, plus the codes printed on its pages."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not data.startswith(b"%PDF-"):
        raise NotARecordPdf("The file is not a PDF")
    try:
        reader = PdfReader(io.BytesIO(data))
        attached = reader.attachments.get(ATTACHMENT_NAME) or []
        first_page_text = reader.pages[0].extract_text() if reader.pages else ""
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise NotARecordPdf("The PDF cannot be read") from exc
    if len(attached) != 1:
        raise NotARecordPdf("The PDF has no attached record")
    try:
        payload = json.loads(attached[0].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotARecordPdf("The attached record is not valid JSON") from exc
    if not isinstance(payload, dict) or payload.get("format") != RECORD_FORMAT:
        raise NotARecordPdf("The attached record is not in a format this service made")
    code, content = payload.get("verification_code"), payload.get("content")
    if not isinstance(code, str) or not is_code(code) or not isinstance(content, dict):
        raise NotARecordPdf("The attached record has no verification code")
    printed = frozenset(normalise_code(m) for m in re.findall(r"(?:[0-9a-f]{4}\s+){15}[0-9a-f]{4}", first_page_text))
    total = re.search(r"Page 1 of (\d+)", first_page_text)
    return AttachedRecord(
        stated_code=code,
        content=content,
        printed_codes=printed,
        page_count=len(reader.pages),
        printed_page_total=int(total.group(1)) if total else None,
    )


# What the PDF shows -------------------------------------------------------------------------------------


@dataclass
class RuleGroup:
    number: int | None
    title: str
    text: str
    sections: list[display.Section]


def _rule_groups(version: DecisionVersion) -> list[RuleGroup]:
    """The answers under each golden rule in turn; questions before any rule (the request) come first."""
    ed = edition(version.edition)
    sections = display.sections_of(version)
    groups = [RuleGroup(None, "The request and the information", "", [s for s in sections if s.principle is None])]
    for principle in ed.principles:
        in_rule = [s for s in sections if s.principle is not None and s.principle.number == principle.number]
        groups.append(RuleGroup(principle.number, principle.title, principle.text, in_rule))
    return [g for g in groups if g.sections or g.number is not None]


def _label(choices: list[tuple[str, str]], value: str) -> str:
    return dict(choices).get(value, value)


def _summary(version: DecisionVersion) -> dict[str, Any]:
    answers = version.answers
    flow = wizard.flow_of(version)
    recipients = answers.get("recipients") or {}
    consent = ConsentStatus(version.consent_status).label if version.consent_status else "Not recorded"
    if version.consent_not_sought_reasons:
        reasons = [
            display.choice_label(flow, "consent_not_sought", "reasons", r)
            for r in version.consent_not_sought_reasons.split(",")
        ]
        consent = f"{consent}: " + "; ".join(reasons)
    method = str(flow.find(answers, "method") or "")
    not_shared = version.outcome == Outcome.NO_SHARE and version.layout > 1
    shared_on = recipients.get("shared_date", "")
    if shared_on:
        shared_on = datetime.fromisoformat(shared_on).strftime("%-d %B %Y")
        if recipients.get("shared_time"):
            shared_on += f", {recipients['shared_time']}"
    people_rows = [person_description(p).replace("\n", ", ") for p in people_in(answers)]
    # Layouts with a list of recipients (2018's third, 2024's second): the single-recipient rows below are for
    # older layouts.
    listed = getattr(flow.step("recipients"), "form_class", None) is RecipientsForm
    recipient_rows = (
        [RecipientsForm.entry_summary(r) for r in RecipientsForm.entries(answers.get("recipients"))] if listed else []
    )
    if listed:
        recipients = {}
    return {
        "people": people_rows,
        "recipients": recipient_rows,
        "outcome": Outcome(version.outcome).label,
        "consent": consent,
        "lawful_basis": (
            _label(ARTICLE_6, version.lawful_basis)
            if version.lawful_basis
            else ("Not needed: nothing was shared" if not_shared else "None recorded")
        ),
        "special_category": (
            _label(ARTICLE_9, version.special_category_condition)
            if version.special_category and version.special_category_condition
            else ("Yes" if version.special_category else "No")
        ),
        "recipient": ", ".join(
            v for v in (recipients.get("recipient_person", ""), recipients.get("recipient_agency", "")) if v
        ),
        "recipient_contact": recipients.get("recipient_contact", ""),
        "shared_on": shared_on,
        "method": _label(SHARING_METHODS, method) if method else "",
        "other_recipients": recipients.get("other_recipients", ""),
    }


def _history(decision: Decision, versions: list[DecisionVersion]) -> list[dict[str, Any]]:
    rows = []
    for i, version in enumerate(versions):
        previous = versions[i - 1] if i else None
        changes = display.changes_between(previous, version) if previous is not None else []
        rows.append({"version": version, "changes": changes})
    return rows


@dataclass
class ReviewRow:
    at: datetime | None
    reviewer: str
    version: int | None
    outcome: str
    comment: str


def _reviews(decision: Decision) -> list[ReviewRow]:
    """Review sign-offs, if the review feature (a `reviews` relation on Decision) is installed."""
    manager = getattr(decision, "reviews", None)
    if manager is None:
        return []
    rows = []
    for review in manager.all():
        reviewer = getattr(review, "reviewer", None)
        version = getattr(review, "version", None)
        outcome_display = getattr(review, "get_outcome_display", None)
        rows.append(
            ReviewRow(
                at=getattr(review, "created_at", None),
                reviewer=getattr(reviewer, "display_name", str(reviewer or "")),
                version=getattr(version, "number", None),
                outcome=str(outcome_display() if callable(outcome_display) else getattr(review, "outcome", "")),
                comment=str(getattr(review, "comment", "") or ""),
            )
        )
    return rows


@dataclass
class EventRow:
    seq: int
    at: datetime
    actor: str
    action: str
    details: str


def _event_details(decision: Decision, event: AuditEvent) -> str:
    details = event.details or {}
    parts = []
    if details.get("version"):
        parts.append(f"version {details['version']}")
    if details.get("amends_version"):
        parts.append(f"amending version {details['amends_version']}")
    if details.get("step"):
        title = display.step_title(decision.edition, str(details["step"]))
        parts.append(f"“{title}”" if title else str(details["step"]))
        if "changed" in details and not details["changed"]:
            parts.append("no change")
        if details.get("finished") is False:
            parts.append("saved before it was finished")
    if details.get("outcome") in Outcome.values:
        parts.append(Outcome(details["outcome"]).label.lower())
    if details.get("bulk_export"):
        parts.append(f"in bulk export {details['bulk_export']}")
    if details.get("result"):
        parts.append(str(details["result"]).replace("_", " "))
    return ", ".join(parts)


# The events that change the record are listed one by one; everything else (views, exports, checks of the
# code, answers saved while drafting) is counted per action with its first and last time, so a record viewed
# or exported a thousand times prints the same length as one viewed once. Exports are what happened to the
# record after it was made, not the record: the audit log keeps each one.
LISTED_ACTIONS = (
    actions.DECISION_CREATE,
    actions.DECISION_SUBMIT,
    actions.DECISION_AMEND_START,
    actions.REVIEW_APPROVE,
    actions.REVIEW_RETURN,
    actions.DECISION_FOLLOW_UP_RECORD,
)


@dataclass
class EventSummary:
    action: str
    count: int
    first: datetime
    last: datetime


def _decision_events(decision: Decision) -> Any:
    return AuditEvent.objects.filter(organisation_id=decision.organisation_id, target_ref=decision.reference)


def _events(decision: Decision) -> list[EventRow]:
    events = _decision_events(decision).filter(action__in=LISTED_ACTIONS).select_related("actor").order_by("seq")
    rows = []
    for event in events:
        name = event.actor.display_name if event.actor is not None else ""
        actor = f"{name} ({event.actor_label})" if name and name != event.actor_label else event.actor_label
        rows.append(
            EventRow(
                seq=event.seq,
                at=event.occurred_at,
                actor=actor or "The service",
                action=ACTION_LABELS.get(event.action, event.action),
                details=_event_details(decision, event),
            )
        )
    return rows


def _event_summaries(decision: Decision) -> list[EventSummary]:
    grouped = (
        _decision_events(decision)
        .exclude(action__in=LISTED_ACTIONS)
        .values("action")
        .annotate(count=Count("id"), first=Min("occurred_at"), last=Max("occurred_at"))
        .order_by("first")
    )
    return [
        EventSummary(ACTION_LABELS.get(g["action"], g["action"]), g["count"], g["first"], g["last"]) for g in grouped
    ]


def record_context(
    version: DecisionVersion, *, generated_by: Any, generated_at: datetime, verify_url: str
) -> dict[str, Any]:
    decision = version.decision
    versions = list(decision.versions.select_related("submitted_by").order_by("number"))
    generator = getattr(generated_by, "display_name", "") or str(generated_by)
    return {
        "decision": decision,
        "version": version,
        "versions": versions,
        "is_current": not versions or version.pk == versions[-1].pk,
        "current": versions[-1] if versions else version,
        "edition": edition(version.edition),
        "summary": _summary(version),
        "groups": _rule_groups(version),
        "history": _history(decision, versions),
        "reviews": _reviews(decision),
        "events": _events(decision),
        "event_summaries": _event_summaries(decision),
        # Recorded after this version, outside what its code covers: an addendum, shown only when there is one.
        "follow_ups": list(version.follow_ups.select_related("recorded_by", "version").order_by("recorded_at", "pk")),
        "code": group_code(version.content_hash),
        "code_lines": (group_code(version.content_hash[:32]), group_code(version.content_hash[32:])),
        "verify_url": verify_url,
        "generated_at": generated_at,
        "generated_by": generator,
        "attachment_name": ATTACHMENT_NAME,
        "title": f"Information sharing decision {decision.reference}, version {version.number}",
    }


def filename_for(version: DecisionVersion) -> str:
    return f"{version.decision.reference}-v{version.number}-audit-record.pdf"


def render_html(context: dict[str, Any]) -> str:
    with timezone.override(LONDON):
        return render_to_string(TEMPLATE, context)


def render_pdf(
    version: DecisionVersion,
    *,
    generated_by: Any,
    verify_url: str,
    generated_at: datetime | None = None,
    target: Any = None,
) -> bytes | None:
    """The PDF as bytes, or written to `target` (a path or binary file) when given."""
    generated_at = generated_at or timezone.now()
    context = record_context(version, generated_by=generated_by, generated_at=generated_at, verify_url=verify_url)
    html = HTML(string=render_html(context), base_url=FONTS_DIR.as_uri() + "/", url_fetcher=_FETCHER)
    attachment = Attachment(
        string=attachment_bytes(version),
        name=ATTACHMENT_NAME,
        description=f"Canonical record of {version.decision.reference} version {version.number} (JSON)",
        created=generated_at,
        modified=generated_at,
        relationship="Source",
    )
    result: bytes | None = html.write_pdf(
        target,
        stylesheets=STYLESHEETS,
        font_config=FONT_CONFIG,
        pdf_variant=PDF_VARIANT,
        attachments=[attachment],
        pdf_tags=True,
    )
    return result
