"""Decisions of each kind for the review, audit log and dashboard tests, made through the real services."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from decisions.models import DecisionVersion

from .factories import make_submitted_decision
from .wizard_helpers import MAIN_PATH, NO_SHARE, NO_SHARE_PATH, SHARE_SOME

# After the decision, sharing without consent asks why, and whether the family was told.
_WITHOUT_CONSENT_TAIL = ["without_consent", "lawful_basis", "quality", "open_honest", "sending", "recipients"]
NOT_SOUGHT_PATH = [
    "request",
    "people",
    "information",
    "advice",
    "consent",
    "consent_not_sought",
    "safety",
    "necessary",
    "decision",
    *_WITHOUT_CONSENT_TAIL,
]
REFUSED_PATH = [*MAIN_PATH[: MAIN_PATH.index("decision") + 1], *_WITHOUT_CONSENT_TAIL]


# Every date answer on 2 January 2025, so decisions can be made "in the past" under time-machine.
EARLY_DATES: dict[str, dict[str, Any]] = {
    "request": {"request_date_0": "2", "request_date_1": "1", "request_date_2": "2025"},
    "advice": {"advice_date_0": "2", "advice_date_1": "1", "advice_date_2": "2025"},
    "consent": {"consent_date_0": "2", "consent_date_1": "1", "consent_date_2": "2025"},
    "recipients": {"shared_date_0": "2", "shared_date_1": "1", "shared_date_2": "2025"},
}


def _with(overrides: dict[str, dict[str, Any]], extra: dict[str, dict[str, Any]] | None) -> dict[str, dict[str, Any]]:
    merged = {key: dict(value) for key, value in (extra or {}).items()}
    for key, value in overrides.items():
        merged.setdefault(key, {}).update(value)
    return merged


def share_all(owner: User, extra: dict[str, dict[str, Any]] | None = None) -> DecisionVersion:
    return make_submitted_decision(owner, overrides=_with({}, extra))


def share_some(owner: User, extra: dict[str, dict[str, Any]] | None = None) -> DecisionVersion:
    return make_submitted_decision(
        owner,
        overrides=_with({"decision": SHARE_SOME}, extra),
    )


def no_share(owner: User, extra: dict[str, dict[str, Any]] | None = None) -> DecisionVersion:
    return make_submitted_decision(owner, NO_SHARE_PATH, overrides=_with({"decision": NO_SHARE}, extra))


def not_sought(
    owner: User, reasons: list[str] | None = None, extra: dict[str, dict[str, Any]] | None = None
) -> DecisionVersion:
    reasons = reasons or ["delay"]
    answer: dict[str, Any] = {"reasons": reasons}
    for reason in reasons:
        answer[f"reason_{reason}"] = f"Because of {reason}"
    return make_submitted_decision(
        owner,
        NOT_SOUGHT_PATH,
        overrides=_with({"consent": {"consent_sought": "no"}, "consent_not_sought": answer}, extra),
    )


def refused_but_shared(owner: User, extra: dict[str, dict[str, Any]] | None = None) -> DecisionVersion:
    return make_submitted_decision(
        owner,
        REFUSED_PATH,
        overrides=_with(
            {"consent_outcome": {"consent_outcome": "refused", "consent_outcome_detail": "Father refused"}}, extra
        ),
    )


def count_queries(client: Any, url: str) -> tuple[int, Any]:
    """How many queries one GET makes, and its response."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(queries), response
