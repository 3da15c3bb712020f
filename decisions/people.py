"""People on a record: searchable names, the snapshot a record keeps of each, and the links kept in step."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404

from .models import Decision, DecisionPerson, Person


def normalise_name(text: str) -> str:
    """`text` case-folded, accents removed, spaces collapsed: "  Zoë  O'Brien" -> "zoe o'brien"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())


def entries_of(answers: dict[str, Any]) -> list[dict[str, Any]]:
    """The people a record's answers hold, in order (none for a layout without people)."""
    page = answers.get("people") or {}
    entries = page.get("people") if isinstance(page, dict) else None
    return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []


def check_entries(organisation_id: int, entries: list[dict[str, Any]]) -> None:
    """Every entry names a person of this organisation, once; anything else is not found."""
    ids = [e.get("person_id") for e in entries]
    if len(set(ids)) != len(ids):
        raise ValidationError("A person is on this record already")
    wanted = [int(str(i)) for i in ids if str(i).isdigit()]
    found = Person.objects.filter(organisation_id=organisation_id, pk__in=wanted).count() if wanted else 0
    if found != len(ids):
        raise Http404("No person found")


def sync_links(decision: Decision, answers: dict[str, Any]) -> None:
    """Make the decision's links to people say what `answers` says. Call inside the change's transaction."""
    entries = entries_of(answers)
    DecisionPerson.objects.filter(decision=decision).delete()
    DecisionPerson.objects.bulk_create(
        DecisionPerson(
            decision=decision,
            person_id=int(entry["person_id"]),
            part=str(entry.get("part", "")),
            protect_identity=bool(entry.get("protect_identity")),
            position=position,
        )
        for position, entry in enumerate(entries)
        if str(entry.get("person_id", "")).isdigit()
    )


def snapshot(person: Person, *, part: str, protect_identity: bool) -> dict[str, Any]:
    """What a record keeps of a person: enough to read it without the row."""
    return {
        "person_id": person.pk,
        "full_name": person.full_name,
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else "",
        "birth_date_accuracy": person.birth_date_accuracy,
        "part": part,
        "protect_identity": protect_identity,
    }
