"""The audit log in words, for the log page: who (by name), what they did and what changed, and which record.

The events themselves stay as they were written (machine-readable details, kept in full in the CSV export);
this only reads them. A page of events costs a fixed handful of queries whatever is on it: the actors come
with the events, and decisions, versions and named users are each read once for the whole page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse

from accounts.models import GuidanceEdition, ReviewTiming
from decisions import display, wizard
from decisions.choices import Outcome
from decisions.models import Decision, DecisionVersion
from decisions.selectors import decisions_for_user
from oversight.models import Review

from . import actions
from .models import AuditEvent

HEX = frozenset("0123456789abcdef")
RECORD_NAMES = {
    "accounts.user": "User account",
    "accounts.organisation": "Organisation",
    "accounts.team": "Team",
    "exports.bulkexport": "Bulk export",
    "housekeeping.housekeepingrun": "Housekeeping run",
    "decisions.decision": "Decision",
}
# What a few details are called in words; others are shown as "Their key: value".
DETAIL_NAMES = {
    "version": "Version",
    "content_hash": "Verification code",
    "outcome": "Decision",
    "edition": "Guidance edition",
    "amends_version": "Amends version",
    "comment": "Comment",
    "decisions": "Decisions",
    "username": "Username",
    "method": "Method",
    "result": "Result",
    "code": "Code",
    "reason": "Reason",
    "events_checked": "Events checked",
    "recovery_codes_left": "Recovery codes left",
    "bulk_export": "Bulk export",
    "expired_at": "Expired",
    "sessions_removed": "Sessions removed",
    "files_removed": "Files deleted",
    "events_cleared": "Events cleared",
}
FILTER_NAMES = {
    "date_from": "from",
    "date_to": "to",
    "actor": "username",
    "action": "action",
    "reference": "reference",
    "outcome": "outcome",
    "edition": "edition of the advice",
}
METHODS = {"app": "with the authenticator app", "recovery_code": "with a recovery code", "code": "by code"}
VERIFY_RESULTS = {
    "match": "a true copy",
    "no_match": "no record has this code",
    "record_altered": "the stored record was altered",
    "document_altered": "the document was altered",
}


@dataclass
class Row:
    event: AuditEvent
    label: str
    who: str
    username: str
    what: list[str] = field(default_factory=list)
    record: str = ""
    record_url: str = ""
    record_note: str = ""


def short(value: Any) -> str:
    """A value short enough for a table cell: hashes cut to their first 12 characters (the CSV export has
    them in full), long text to 120."""
    text = str(value)
    if len(text) == 64 and set(text) <= HEX:
        return text[:12] + "…"
    return text if len(text) <= 120 else text[:119] + "…"


def _humanise(key: str) -> str:
    return DETAIL_NAMES.get(key, key.replace("_", " ").capitalize())


def step_name(edition_code: str, key: str, layout: int | None = None) -> str:
    """A question page's short name ("Consent", "Recipients"): from the given layout, else from any layout of
    the edition that has the page (a draft's events do not say which layout it was in), else the key itself."""
    layouts = [layout] if layout is not None else []
    layouts += sorted((known for code, known in wizard.FLOWS if code == edition_code), reverse=True)
    for candidate in layouts:
        try:
            text = wizard.question(edition_code, key, candidate)
        except LookupError:
            continue
        return text.caption or text.title
    return key.replace("_", " ").capitalize()


def changed_steps(
    edition_code: str, before: dict[str, Any], after: dict[str, Any], layout: int | None = None
) -> list[str]:
    """The short names of the pages whose answers differ, in the order the questions are asked (both in one
    layout)."""
    try:
        order = [step.key for step in wizard.steps_for(edition_code, layout)]
    except (LookupError, ValueError):  # an edition or layout this code no longer has
        order = []
    keys = order + sorted((set(before) | set(after)) - set(order))
    names: list[str] = []
    for key in keys:
        if before.get(key) != after.get(key):
            name = step_name(edition_code, key, layout)
            if name not in names:
                names.append(name)
    return names


def changed_questions(before: DecisionVersion, after: DecisionVersion) -> list[str]:
    """As `changed_steps`, for two versions: compared page by page in one layout, else (an amendment that moved
    the record to a newer layout) question by question, as the decision page shows them."""
    if (before.edition, before.layout) == (after.edition, after.layout):
        return changed_steps(after.edition, before.answers, after.answers, after.layout)
    names: list[str] = []
    for change in display.changes_between(before, after):
        if change.question not in names:
            names.append(change.question)
    return names


def _outcome(value: Any) -> str:
    try:
        return str(Outcome(value).label)
    except ValueError:
        return str(value)


def _edition(value: Any) -> str:
    try:
        return str(GuidanceEdition(value).label)
    except ValueError:
        return str(value)


def _timing(value: Any) -> str:
    try:
        return str(ReviewTiming(value).label)
    except ValueError:
        return str(value)


def _filters(filters: dict[str, Any]) -> str:
    parts = []
    for key, value in filters.items():
        shown = actions.LABELS.get(value, value) if key == "action" else value
        parts.append(f"{FILTER_NAMES.get(key, key)} {_outcome(shown) if key == 'outcome' else shown}")
    return ", ".join(parts)


def _generic(details: dict[str, Any], skip: Iterable[str] = ()) -> list[str]:
    return [
        f"{_humanise(key)}: {short(value)}"
        for key, value in details.items()
        if key not in skip and value not in (None, "", {}, []) and not isinstance(value, dict | list)
    ]


@dataclass
class PageFacts:
    """What the page's events refer to, each read once for the whole page."""

    editions: dict[str, str] = field(default_factory=dict)
    linkable: set[str] = field(default_factory=set)
    versions: dict[tuple[str, int], DecisionVersion] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    review_comments: dict[int, str] = field(default_factory=dict)


def _amendment_submits(events: list[AuditEvent]) -> set[tuple[str, int]]:
    wanted: set[tuple[str, int]] = set()
    for event in events:
        version = event.details.get("version")
        if event.action == actions.DECISION_SUBMIT and event.target_ref and isinstance(version, int) and version > 1:
            wanted |= {(event.target_ref, version), (event.target_ref, version - 1)}
    return wanted


def page_facts(user: Any, organisation_id: int, events: list[AuditEvent]) -> PageFacts:
    facts = PageFacts()
    references = {e.target_ref for e in events if e.target_ref}
    if references:
        facts.editions = dict(
            Decision.objects.filter(organisation_id=organisation_id, reference__in=references).values_list(
                "reference", "edition"
            )
        )
        # Only submitted decisions have a page the reader can open; drafts are the practitioner's own.
        facts.linkable = set(
            decisions_for_user(user).filter(reference__in=references).values_list("reference", flat=True)
        )
    review_ids = {
        e.details["review"]
        for e in events
        if e.action in (actions.REVIEW_APPROVE, actions.REVIEW_RETURN) and isinstance(e.details.get("review"), int)
    }
    if review_ids:
        facts.review_comments = dict(
            Review.objects.filter(pk__in=review_ids, decision__organisation_id=organisation_id).values_list(
                "pk", "comment"
            )
        )
    wanted = _amendment_submits(events)
    if wanted:
        condition = Q()
        for reference, number in wanted:
            condition |= Q(decision__reference=reference, number=number)
        versions = (
            DecisionVersion.objects.filter(condition, decision__organisation_id=organisation_id)
            .only("number", "edition", "layout", "answers", "decision__reference")
            .select_related("decision")
        )
        facts.versions = {(version.decision.reference, version.number): version for version in versions}
    # People acting on their own account (signing in, setting up two-step verification) are named by the
    # actor join already; only events about someone else need their names read.
    for event in events:
        if event.target_type == "accounts.user" and event.actor is not None and event.target_id == str(event.actor_id):
            facts.names[event.target_id] = event.actor.display_name
    user_ids = {
        e.target_id
        for e in events
        if e.target_type == "accounts.user" and e.target_id.isdigit() and e.target_id not in facts.names
    }
    if user_ids:
        # Names of the organisation's own people only; anyone else stays "a user account".
        people = get_user_model().objects.filter(
            Q(membership__organisation_id=organisation_id) | Q(membership__isnull=True), pk__in=user_ids
        )
        facts.names |= {str(person.pk): person.display_name for person in people}
    return facts


def _day(value: Any) -> str:
    try:
        return dt.date.fromisoformat(str(value)).strftime("%-d %B %Y")
    except ValueError:
        return str(value)


ACCOUNT_CHANGES = {
    actions.USER_CREATE, actions.USER_CHANGE, actions.MEMBERSHIP_CREATE, actions.MEMBERSHIP_CHANGE,
    actions.ORGANISATION_CREATE, actions.ORGANISATION_CHANGE, actions.TEAM_CREATE, actions.TEAM_CHANGE,
}  # fmt: skip


def _account_change(details: dict[str, Any]) -> list[str]:
    """accounts/audit_changes.py: values for roles, flags and settings; other fields (a password) by name only."""
    values = details.get("values") or {}
    parts = []
    for name, value in values.items():
        label = _humanise(name).lower()
        if isinstance(value, dict):
            parts.append(f"{label} from “{short(value.get('from'))}” to “{short(value.get('to'))}”")
        else:
            parts.append(f"{label} “{short(value)}”")
    named = [_humanise(n).lower() for n in details.get("changed") or [] if n not in values]
    lines = [("Changed " if "changed" in details else "Set ") + "; ".join(parts)] if parts else []
    if named:
        lines.append(f"Changed: {', '.join(named)} (values not kept)")
    return lines


def _what(event: AuditEvent, facts: PageFacts) -> list[str]:
    details = event.details or {}
    edition_code = facts.editions.get(event.target_ref, "")
    action = event.action
    if action == actions.DECISION_STEP_SAVE and "step" in details:
        page = step_name(edition_code, str(details["step"]))
        if details.get("finished") is False:
            return [f"Saved unfinished answers on: {page}, to come back to"]
        if details.get("changed"):
            return [f"Changed the answers on: {page}"]
        return [f"Saved the answers on: {page}, no change"]
    if action in ACCOUNT_CHANGES and isinstance(details.get("values") or details.get("changed"), dict | list):
        return _account_change(details)
    if action == actions.DECISION_SUBMIT:
        version = details.get("version")
        lines = [f"Version {version}" + (f": {_outcome(details['outcome']).lower()}" if details.get("outcome") else "")]
        if isinstance(version, int) and version > 1:
            before = facts.versions.get((event.target_ref, version - 1))
            after = facts.versions.get((event.target_ref, version))
            if before is not None and after is not None:
                pages = changed_questions(before, after)
                lines.append(f"Changed the answers on: {', '.join(pages)}" if pages else "No answers changed")
        return lines
    if action == actions.DECISION_CREATE:
        return [f"Guidance edition {details['edition']}"] if details.get("edition") else []
    if action == actions.DECISION_AMEND_START and details.get("amends_version"):
        lines = [f"Amending version {details['amends_version']}"]
        if details.get("to_layout"):
            lines.append("Its answers were moved into the current questions")
        return lines
    if action == actions.DECISION_DRAFT_RESHAPE:
        return ["The draft's answers were moved into the current questions"]
    if action == actions.DECISION_FOLLOW_UP_DONE:
        return [f"They were to be told by {_day(details.get('due'))}"] if details.get("due") else []
    if action == actions.DECISION_FOLLOW_UP_RECORD:
        what = {"family_told": "The family told", "share_sent": "The information sent"}.get(
            str(details.get("kind")), "A follow-up"
        )
        done = "done" if details.get("outcome") == "done" else "not done after all"
        return [f"{what}: {done}, following version {details.get('version')}"]
    if action in (actions.DECISION_VIEW, actions.PDF_EXPORT):
        version = details.get("version")
        line = f"Version {version}" if version else "The draft"
        if details.get("bulk_export"):
            line += f", in bulk export {details['bulk_export']}"
        return [line]
    if action in (actions.REVIEW_APPROVE, actions.REVIEW_RETURN):
        lines = [f"Version {details.get('version')}"]
        # Events from before 2026-11-26 held the comment; later ones point to the review, which holds it.
        review = details.get("review")
        comment = (facts.review_comments.get(review) if isinstance(review, int) else None) or details.get("comment")
        if comment:
            lines.append(f"Comment: “{short(comment)}”")
        return lines
    if action == actions.ORG_SETTINGS_CHANGE and isinstance(details.get("guidance_edition"), dict):
        change = details["guidance_edition"]
        return [
            f"Edition of the advice for new decisions changed from “{_edition(change.get('from'))}” to "
            f"“{_edition(change.get('to'))}”"
        ]
    if action == actions.ORG_SETTINGS_CHANGE and isinstance(details.get("review_timing"), dict):
        change = details["review_timing"]
        return [f"Review timing changed from “{_timing(change.get('from'))}” to “{_timing(change.get('to'))}”"]
    if action in (actions.AUDIT_LOG_VIEW, actions.AUDIT_LOG_EXPORT):
        filters = details.get("filters") or {}
        if isinstance(filters, list):
            # Since issue 25: the names of the filters used, and only the values chosen from a fixed list.
            choices = details.get("filter_choices") or {}
            filters = {name: choices.get(name, "(what was typed is not kept)") for name in filters}
        lines = [f"Filters: {_filters(filters)}" if filters else "No filters"]
        if details.get("shown") is not None:
            lines.append(f"{details['shown']} events shown")
        return lines
    if action in (actions.TWO_FACTOR_VERIFY, actions.TWO_FACTOR_FAILED) and details.get("method"):
        line = METHODS.get(details["method"], details["method"]).capitalize()
        if details.get("recovery_codes_left") is not None:
            line += f" ({details['recovery_codes_left']} left)"
        return [line]
    if action == actions.PASSWORD_RESET_REQUEST:
        if details.get("limited") == "address":
            return ["Refused: too many requests from this address in an hour"]
        if details.get("known_user") is False:
            return ["No account has that email address; nothing sent"]
        if details.get("sent"):
            return ["Link emailed to the account's address"]
        return ["Not emailed: this account was sent the most links allowed in an hour"]
    if action == actions.VERIFY_CODE:
        result = VERIFY_RESULTS.get(details.get("result", ""), details.get("result", ""))
        return [f"Result: {result}", f"Code: {short(details.get('code', ''))}"]
    if action == actions.CHAIN_VERIFY:
        verdict = "no problems" if details.get("ok") else "a problem was found"
        return [f"{details.get('events_checked', 0):,} events checked, {verdict}"]
    if action in (actions.BULK_EXPORT_START, actions.BULK_EXPORT_DOWNLOAD) or "submitted_from" in details:
        lines = []
        if details.get("submitted_from"):
            lines.append(f"Submitted {_date(details['submitted_from'])} to {_date(details.get('submitted_to', ''))}")
        lines += _generic(details, skip=("submitted_from", "submitted_to", "file_sha256", "file_size"))
        return lines
    lines = _generic(details, skip=("comment_given",))
    if event.typed_username:
        lines.append(f"Username typed: {short(event.typed_username)}")
    return lines


def _date(value: str) -> str:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day.day} {day:%B %Y}"


def _record(event: AuditEvent, facts: PageFacts) -> tuple[str, str, str]:
    """(text, link, note) for the record an event concerns."""
    if event.target_ref:
        if event.target_ref in facts.linkable:
            return event.target_ref, reverse("decisions:detail", args=[event.target_ref]), ""
        return event.target_ref, "", "draft"
    if not event.target_type:
        return "", "", ""
    name = RECORD_NAMES.get(event.target_type, event.target_type)
    if event.target_type == "accounts.user":
        person = facts.names.get(event.target_id)
        return (f"{person}" if person else name), "", ("user account" if person else "")
    return f"{name} {event.target_id}".strip(), "", ""


def rows(user: Any, organisation_id: int, events: list[AuditEvent]) -> list[Row]:
    facts = page_facts(user, organisation_id, events)
    result = []
    for event in events:
        actor = event.actor
        record, url, note = _record(event, facts)
        result.append(
            Row(
                event=event,
                label=actions.LABELS.get(event.action, event.action.replace("_", " ").capitalize()),
                who=actor.display_name if actor is not None else (event.actor_label or "–"),
                username=event.actor_label if actor is not None and event.actor_label != actor.display_name else "",
                what=_what(event, facts),
                record=record,
                record_url=url,
                record_note=note,
            )
        )
    return result
