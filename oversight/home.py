"""The home page: each role's work as a list of links with counts.

It lives at the top of the layering because it counts what every app holds (decisions, reviews, exports,
the audit trail's check); each count is one selector, and one query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.views.decorators.http import require_GET

from audit.selectors import latest_chain_check
from decisions import selectors as decision_selectors
from decisions.permissions import Can, has, membership_of
from exports.selectors import export_counts
from retention.selectors import due_count

from .selectors import age_in_words, review_work

RECENT_DECISIONS = 5


@dataclass(frozen=True)
class Item:
    """One line of a work queue: a link, what it is for, and a count or state."""

    key: str
    title: str
    url: str
    hint: str = ""
    status: str = ""
    # A GOV.UK tag colour for the status; empty shows it as plain text.
    colour: str = ""


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def _decisions_url(show: str = "") -> str:
    url = reverse("decisions:list")
    return f"{url}?show={show}" if show else url


def practitioner_items(work: decision_selectors.OwnWork) -> list[Item]:
    return [
        Item(
            "returned",
            "Returned to you to fix",
            _decisions_url("returned"),
            "A supervisor asked for changes. Amend each decision to answer their comment.",
            _plural(work.returned, "to fix", "to fix") if work.returned else "None",
            "red" if work.returned else "",
        ),
        Item(
            "drafts",
            "Drafts",
            _decisions_url("drafts"),
            "Decisions you started and have not submitted.",
            _plural(work.drafts, "draft") if work.drafts else "None",
            "blue" if work.drafts else "",
        ),
        Item(
            "awaiting",
            "Waiting for review",
            _decisions_url("awaiting"),
            "Submitted decisions a supervisor has not reviewed yet.",
            _plural(work.awaiting, "waiting", "waiting") if work.awaiting else "None",
        ),
        Item(
            "all",
            "All your decisions",
            _decisions_url(),
            status=_plural(work.total, "decision"),
        ),
    ]


def supervisor_items(user: Any) -> list[Item]:
    work = review_work(user)
    return [
        Item(
            "reviews",
            "Decisions to review",
            reverse("oversight:queue"),
            f"The oldest has waited {age_in_words(work.oldest_awaiting).lower()}."
            if work.oldest_awaiting
            else "Submitted decisions waiting for a supervisor, oldest first.",
            _plural(work.awaiting, "waiting", "waiting") if work.awaiting else "None",
            "blue" if work.awaiting else "",
        ),
        Item(
            "returned",
            "Returned decisions",
            _decisions_url("returned"),
            "Returned to the practitioner and not amended yet.",
            _plural(work.returned, "returned", "returned") if work.returned else "None",
        ),
    ]


def exports_item(user: Any) -> Item:
    exports = export_counts(user)
    if exports["in_progress"]:
        status, colour = _plural(exports["in_progress"], "in progress", "in progress"), "blue"
    elif exports["ready"]:
        status, colour = _plural(exports["ready"], "ready", "ready"), "green"
    else:
        status, colour = "None in progress", ""
    return Item(
        "exports",
        "Bulk exports",
        reverse("exports:start"),
        "Export decisions as PDF audit records, in a zip file.",
        status,
        colour,
    )


def subject_access_item() -> Item:
    return Item(
        "subject_access",
        "Subject access requests",
        reverse("exports:subject_access"),
        "Find every record about one person and make a bundle of them to review before release.",
    )


def settings_item(membership: Any) -> Item:
    timing = membership.organisation.get_review_timing_display()
    return Item(
        "settings",
        "Organisation settings",
        reverse("oversight:organisation"),
        f"When supervisors review decisions: {timing[0].lower()}{timing[1:]}.",
    )


def retention_item(user: Any) -> Item:
    due = due_count(user)
    return Item(
        "retention",
        "Records due for retention review",
        reverse("retention:due"),
        "Keep them on legal hold, or dispose of them with a second admin's approval.",
        _plural(due, "due", "due") if due else "None",
        "blue" if due else "",
    )


def chain_item(user: Any) -> Item:
    check = latest_chain_check(user)
    if check is None:
        hint, status, colour = "The audit trail has not been checked yet.", "Not checked", "grey"
    else:
        hint = f"Last checked {timesince(check.checked_at)} ago."
        status, colour = ("Passed", "green") if check.ok else ("Failed", "red")
    read_only = "" if has(user, Can.RUN_CHAIN_CHECK) else " (read only)"
    return Item("chain", f"Audit trail check{read_only}", reverse("audit:chain"), hint, status, colour)


def oversight_items(user: Any) -> list[Item]:
    """Links every reader of the organisation's records shares: the log, the dashboard, the decisions."""
    items = []
    if has(user, Can.VIEW_AUDIT_LOG):
        items.append(Item("audit_log", "Audit log", reverse("audit:log"), "Who did what, when, to which record."))
    if has(user, Can.VIEW_CHAIN_STATUS):
        items.append(chain_item(user))
    if has(user, Can.VIEW_DASHBOARD):
        read_only = "" if has(user, Can.REVIEW) or has(user, Can.MANAGE_ORGANISATION) else " (read only)"
        items.append(
            Item(
                "dashboard",
                f"Dashboard{read_only}",
                reverse("oversight:dashboard"),
                "Decisions, consent and reviews over the last 12 months.",
            )
        )
    if has(user, Can.VIEW_ORG_DECISIONS):
        items.append(Item("decisions", "All decisions", _decisions_url(), "Every submitted decision, newest first."))
    return items


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    membership = membership_of(user)
    context: dict[str, Any] = {"membership": membership, "items": [], "recent": []}
    if membership is not None:
        items: list[Item] = []
        if has(user, Can.START_DECISION):
            work = decision_selectors.own_work(user)
            items += practitioner_items(work)
            context["returned"] = work.returned
            context["follow_ups"] = decision_selectors.follow_ups_due(user)
            context["to_send"] = decision_selectors.shares_to_send(user)
            context["today"] = timezone.localdate()
            context["recent"] = list(
                decision_selectors.decisions_for_user(user).order_by("-updated_at", "-pk")[:RECENT_DECISIONS]
            )
        if has(user, Can.REVIEW):
            items += supervisor_items(user)
            context["overdue_follow_ups"] = decision_selectors.overdue_follow_ups(user, timezone.localdate())
            context["today"] = timezone.localdate()
        if has(user, Can.BULK_EXPORT):
            items.append(exports_item(user))
        if has(user, Can.SUBJECT_ACCESS):
            items.append(subject_access_item())
        if has(user, Can.MANAGE_RETENTION):
            items.append(retention_item(user))
        if has(user, Can.MANAGE_ORGANISATION):
            items.append(settings_item(membership))
        items += oversight_items(user)
        context["items"] = items
        context["can_start"] = has(user, Can.START_DECISION)
        context["can_verify"] = has(user, Can.VERIFY_PDF)
    return render(request, "home.html", context)
