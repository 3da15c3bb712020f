"""People on records for tests of search and subject access: rows made directly, as the services leave them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from decisions.choices import BirthDateAccuracy, PersonPart
from decisions.models import Decision, DecisionPerson, Person
from decisions.people import normalise_name, snapshot


def make_person(organisation: Any, name: str, date_of_birth: dt.date | None = None, *, by: Any) -> Person:
    return Person.objects.create(
        organisation=organisation,
        full_name=name,
        search_name=normalise_name(name),
        date_of_birth=date_of_birth,
        birth_date_accuracy=BirthDateAccuracy.EXACT if date_of_birth else BirthDateAccuracy.UNKNOWN,
        created_at=timezone.now(),
        created_by=by,
    )


def put_on_record(decision: Decision, *people: tuple[Person, str]) -> None:
    """Also name `people` (person, part) on `decision`, as links only (its answers do not change)."""
    for position, (person, part) in enumerate(people):
        DecisionPerson.objects.create(
            decision=decision, person=person, part=PersonPart(part), position=position, protect_identity=False
        )


def people_answer(*people: tuple[Person, str]) -> dict[str, list[dict[str, Any]]]:
    """The people page's answer naming `people` (person, part), in that order, as the page would save it."""
    return {"people": [snapshot(person, part=part, protect_identity=False) for person, part in people]}
