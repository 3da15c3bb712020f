"""People on a record: searchable names, and never visible outside their organisation."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from decisions import selectors
from decisions.models import DecisionPerson, Person
from decisions.people import normalise_name

from .base import World
from .factories import make_submitted_decision


def make_person(world: World, org: object, name: str, born: dt.date | None = None) -> Person:
    return Person.objects.create(
        organisation=org,
        full_name=name,
        search_name=normalise_name(name),
        date_of_birth=born,
        birth_date_accuracy="exact" if born else "unknown",
        created_at=timezone.now(),
        created_by=world.alice_practitioner_org_a,
    )


def test_normalise_name_folds_case_accents_and_spaces() -> None:
    assert normalise_name("  Zoë   O'BRIEN ") == "zoe o'brien"
    assert normalise_name("Straße") == "strasse"
    assert normalise_name("José") == "jose"


class PeopleSelectorTests(World):
    def setUp(self) -> None:
        self.zoe = make_person(self, self.org_a, "Zoë Brown", dt.date(2015, 5, 4))
        self.other = make_person(self, self.org_b, "Zoe Brown", dt.date(2015, 5, 4))

    def test_people_for_user_is_scoped_to_the_organisation(self) -> None:
        self.assertEqual(list(selectors.people_for_user(self.alice_practitioner_org_a)), [self.zoe])
        self.assertEqual(list(selectors.people_for_user(self.bob_practitioner_org_b)), [self.other])
        self.assertEqual(list(selectors.people_for_user(self.nobody_without_org)), [])

    def test_get_person_for_user_is_404_across_organisations(self) -> None:
        self.assertEqual(selectors.get_person_for_user(self.alice_practitioner_org_a, self.zoe.pk), self.zoe)
        for pk in (self.other.pk, 999999, "nonsense"):
            with self.assertRaises(Http404):
                selectors.get_person_for_user(self.alice_practitioner_org_a, pk)

    def test_search_matches_part_of_a_name_without_case_or_accents_within_the_organisation(self) -> None:
        alice = self.alice_practitioner_org_a
        self.assertEqual(selectors.search_people(alice, name="zoe"), [self.zoe])
        self.assertEqual(selectors.search_people(alice, name="BRÓWN"), [self.zoe])
        self.assertEqual(selectors.search_people(alice, date_of_birth=dt.date(2015, 5, 4)), [self.zoe])
        self.assertEqual(selectors.search_people(alice, name="smith"), [])
        self.assertEqual(selectors.search_people(alice, name=""), [])
        self.assertEqual(selectors.search_people(self.bob_practitioner_org_b, name="zoe"), [self.other])

    def test_decisions_about_person_are_the_users_own_and_the_organisations(self) -> None:
        version = make_submitted_decision(self.alice_practitioner_org_a)
        DecisionPerson.objects.create(decision=version.decision, person=self.zoe, part="child", position=0)
        self.assertEqual(
            list(selectors.decisions_about_person(self.alice_practitioner_org_a, self.zoe)), [version.decision]
        )
        self.assertEqual(
            list(selectors.decisions_about_person(self.sue_supervisor_org_a, self.zoe)), [version.decision]
        )
        # Another practitioner of the same organisation sees only their own decisions.
        self.assertEqual(list(selectors.decisions_about_person(self.amir_practitioner_org_a, self.zoe)), [])
        self.assertEqual(list(selectors.decisions_about_person(self.sid_supervisor_org_b, self.zoe)), [])

    def test_database_keeps_birth_date_and_accuracy_together(self) -> None:
        with transaction.atomic(), self.assertRaises(IntegrityError):
            Person.objects.create(
                organisation=self.org_a,
                full_name="No date",
                search_name="no date",
                birth_date_accuracy="exact",
                created_at=timezone.now(),
                created_by=self.alice_practitioner_org_a,
            )

    def test_a_person_is_linked_to_a_decision_once(self) -> None:
        version = make_submitted_decision(self.alice_practitioner_org_a)
        DecisionPerson.objects.create(decision=version.decision, person=self.zoe, part="child", position=0)
        with transaction.atomic(), self.assertRaises(IntegrityError):
            DecisionPerson.objects.create(decision=version.decision, person=self.zoe, part="other_child", position=1)
