"""Records made as an earlier release wrote them, with the fixed ids their content hash covers (the organisation,
the submitter, the reference and the moment), for the tests that pin old records' hashes, pages and PDFs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from accounts.models import Membership, Organisation, Role, Team, User
from decisions.models import Decision, DecisionVersion

from .base import make_user, password_hash


@dataclass
class PinnedWorld:
    organisation: Organisation
    team: Team
    owner: User  # the practitioner who submitted (fixed id: hashed)
    auditor: User


def pinned_world(*, org_pk: int, name: str, slug: str, owner_pk: int, owner: str, edition: str = "2018") -> PinnedWorld:
    """An organisation and its practitioner with fixed ids, and an auditor to read and export their records.
    `owner` is "username First Last"."""
    org = Organisation.objects.create(
        pk=org_pk, name=name, slug=slug, reference_prefix=slug.upper(), guidance_edition=edition
    )
    team = Team.objects.create(organisation=org, name=f"{name} front door")
    username, first, last = owner.split()
    practitioner = User.objects.create(
        pk=owner_pk, username=username, password=password_hash(), first_name=first, last_name=last
    )
    Membership.objects.create(user=practitioner, organisation=org, team=team, role=Role.PRACTITIONER)
    auditor = make_user(f"{slug}_auditor", org, Role.AUDITOR, team)
    return PinnedWorld(org, team, practitioner, auditor)


def pinned_decision(world: PinnedWorld, *, reference: str, edition: str, at: dt.datetime, case: str) -> Decision:
    return Decision.objects.create(
        organisation=world.organisation, team=world.team, owner=world.owner, reference=reference, edition=edition,
        status="draft", created_at=at, updated_at=at, case_reference=case,
    )  # fmt: skip


def pinned_version(
    decision: Decision,
    *,
    number: int = 1,
    answers: dict[str, Any],
    at: dt.datetime,
    previous: DecisionVersion | None = None,
    reason: str = "",
    **fields: Any,
) -> DecisionVersion:
    """A version row as the release that wrote it did (its layout and facts in `fields`), hashed and saved."""
    version = DecisionVersion(
        decision=decision, number=number, edition=decision.edition, answers=answers, submitted_at=at,
        submitted_by=decision.owner, previous=previous, amendment_reason=reason, **fields,
    )  # fmt: skip
    version.content_hash = version.compute_content_hash()
    version.full_clean()
    version.save()
    return version


def mark_submitted(decision: Decision, version: DecisionVersion) -> None:
    Decision.objects.filter(pk=decision.pk).update(
        status="submitted", current_version=version, submitted_at=version.submitted_at,
        updated_at=version.submitted_at, outcome=version.outcome, review_status="awaiting",
    )  # fmt: skip
