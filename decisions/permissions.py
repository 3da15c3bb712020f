"""Who may see and do what. Every view asks here; nothing else decides.

Roles act only inside their own organisation: selectors scope every query by it, and a record of another
organisation is a 404, never a 403 that would confirm it exists.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied

from accounts.models import Membership, Role


class Can(StrEnum):
    START_DECISION = "start_decision"
    VIEW_OWN_DECISIONS = "view_own_decisions"
    VIEW_ORG_DECISIONS = "view_org_decisions"
    REVIEW = "review"
    VIEW_AUDIT_LOG = "view_audit_log"
    VIEW_DASHBOARD = "view_dashboard"
    EXPORT_PDF = "export_pdf"
    BULK_EXPORT = "bulk_export"
    VERIFY_PDF = "verify_pdf"
    MANAGE_ORGANISATION = "manage_organisation"
    VIEW_CHAIN_STATUS = "view_chain_status"
    # Reading the chain status is not running the check: auditors read it, admins also run it.
    RUN_CHAIN_CHECK = "run_chain_check"
    # Subject access requests: finding every record about one person and releasing them. A capability of its
    # own, so an information governance role can be given it later without being an admin.
    SUBJECT_ACCESS = "subject_access"
    # Retention review, legal holds and two-admin disposal (retention app).
    MANAGE_RETENTION = "manage_retention"


ROLE_CAPABILITIES: dict[str, frozenset[Can]] = {
    Role.PRACTITIONER: frozenset({Can.START_DECISION, Can.VIEW_OWN_DECISIONS, Can.VERIFY_PDF}),
    Role.SUPERVISOR: frozenset(
        {Can.VIEW_ORG_DECISIONS, Can.REVIEW, Can.VIEW_AUDIT_LOG, Can.VIEW_DASHBOARD, Can.VERIFY_PDF}
    ),
    Role.ADMIN: frozenset(
        {
            Can.VIEW_ORG_DECISIONS,
            Can.VIEW_DASHBOARD,
            Can.EXPORT_PDF,
            Can.BULK_EXPORT,
            Can.VERIFY_PDF,
            Can.MANAGE_ORGANISATION,
            Can.VIEW_CHAIN_STATUS,
            Can.RUN_CHAIN_CHECK,
            Can.SUBJECT_ACCESS,
            Can.MANAGE_RETENTION,
        }
    ),
    # Auditors read everything an audit needs, the dashboard and the chain status included, and change nothing.
    Role.AUDITOR: frozenset(
        {
            Can.VIEW_ORG_DECISIONS,
            Can.VIEW_AUDIT_LOG,
            Can.VIEW_DASHBOARD,
            Can.VIEW_CHAIN_STATUS,
            Can.EXPORT_PDF,
            Can.VERIFY_PDF,
        }
    ),
}


def membership_of(user: Any) -> Membership | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    try:
        return user.membership  # type: ignore[no-any-return]
    except Membership.DoesNotExist:
        return None


def role_of(user: Any) -> str | None:
    membership = membership_of(user)
    return membership.role if membership else None


def has(user: Any, capability: Can) -> bool:
    role = role_of(user)
    return role is not None and capability in ROLE_CAPABILITIES.get(role, frozenset())


def ensure(user: Any, capability: Can) -> Membership:
    """The user's membership if the role grants `capability`; PermissionDenied otherwise."""
    membership = membership_of(user)
    if membership is None or capability not in ROLE_CAPABILITIES.get(membership.role, frozenset()):
        raise PermissionDenied
    return membership


def can_edit_draft(user: Any, draft: Any) -> bool:
    """Only the practitioner who owns a decision writes its drafts."""
    return has(user, Can.START_DECISION) and draft.decision.owner_id == user.pk and draft.is_open


def can_amend(user: Any, decision: Any) -> bool:
    return has(user, Can.START_DECISION) and decision.owner_id == user.pk and decision.is_submitted
