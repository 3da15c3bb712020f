"""The record's shape (issue 12): the people a decision is about, every recipient, what the family was told.

The list pages work without JavaScript: each add and remove is a plain form post.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from decisions import pdf, services, signing
from decisions.models import Decision, DecisionDraft, DecisionPerson, DecisionVersion, Person
from exports import verification

from .base import World, form_errors
from .factories import list_answer, make_submitted_decision
from .test_pdf import VERIFY_URL, pdf_text
from .wizard_helpers import MAIN_PATH, post_step, start, step_url, submit, valid_post, walk

FROZEN = dt.datetime(2026, 11, 10, 10, 0, tzinfo=dt.UTC)


def draft_answers(reference: str) -> dict[str, Any]:
    return DecisionDraft.objects.open().get(decision__reference=reference).answers


def new_person(**overrides: Any) -> dict[str, Any]:
    return valid_post("people", **overrides)


def recipient(agency: str, **overrides: Any) -> dict[str, Any]:
    return valid_post("recipients", agency=agency, **overrides)


@time_machine.travel(FROZEN, tick=False)
class RecipientsWithoutJavaScriptTests(World):
    def setUp(self) -> None:
        self.client = self.client_for(self.alice_practitioner_org_a)
        self.reference = start(self.client)
        walk(self.client, self.reference, MAIN_PATH[: MAIN_PATH.index("recipients")])
        self.url = step_url(self.reference, "recipients")

    def test_three_recipients_added_and_one_removed(self) -> None:
        for agency in ("West Midlands Police", "Northshire NHS Trust", "Children's social care"):
            response = self.client.post(self.url, recipient(agency))
            assert response.status_code == 302 and response["Location"] == self.url
        page = self.client.get(self.url).content.decode()
        assert "Recipient 3" in page and "Children&#x27;s social care" in page
        response = self.client.post(self.url, {"action": "remove", "entry": "2"})
        assert response.status_code == 302
        entries = draft_answers(self.reference)["recipients"]["recipients"]
        assert [e["agency"] for e in entries] == ["West Midlands Police", "Children's social care"]
        response = self.client.post(self.url, {"action": "continue"})
        assert response.status_code == 302
        assert submit(self.client, self.reference).status_code == 302
        version = Decision.objects.get(reference=self.reference).current_version
        assert version is not None and version.layout == 3
        assert version.recipient_agencies.splitlines() == ["West Midlands Police", "Children's social care"]
        detail = self.client.get(reverse("decisions:detail", kwargs={"reference": self.reference})).content.decode()
        assert "Recipient 2" in detail and "Children&#x27;s social care" in detail and "Northshire NHS" not in detail

    def test_same_as_the_person_who_asked_fills_in_the_agency_and_person(self) -> None:
        page = self.client.get(self.url + "?same_as_requester=1").content.decode()
        assert 'value="West Midlands Police"' in page and 'value="PC Jane Smith, Police constable"' in page

    def test_an_incomplete_recipient_is_shown_with_its_errors_and_nothing_is_saved(self) -> None:
        before = draft_answers(self.reference).get("recipients")
        response = self.client.post(self.url, recipient("", contact=""))
        assert response.status_code == 200
        errors = form_errors(response)
        assert "Enter the agency" in errors and "Enter the contact details" in errors
        assert draft_answers(self.reference).get("recipients") == before

    def test_continuing_with_no_recipients_says_to_add_one(self) -> None:
        response = self.client.post(self.url, {"action": "continue"})
        assert response.status_code == 200 and "Add at least one recipient" in form_errors(response)

    def test_removing_an_entry_that_is_not_there_is_an_error_not_a_crash(self) -> None:
        self.client.post(self.url, recipient("Police"))
        for entry in ("0", "5", "x", ""):
            response = self.client.post(self.url, {"action": "remove", "entry": entry})
            assert response.status_code == 200 and "Select a recipient to remove" in form_errors(response)
        assert len(draft_answers(self.reference)["recipients"]["recipients"]) == 1

    def test_unknown_action_wrong_method_wrong_org_and_missing_draft(self) -> None:
        assert self.client.post(self.url, {"action": "explode"}).status_code == 200
        assert self.client.put(self.url).status_code == 405
        assert self.client_for(self.bob_practitioner_org_b).get(self.url).status_code == 404
        assert self.client_for(self.amir_practitioner_org_a).get(self.url).status_code == 404
        assert self.client.get(step_url("OA-2026-99999", "recipients")).status_code == 404
        assert self.client_for(self.sue_supervisor_org_a).get(self.url).status_code == 404


@time_machine.travel(FROZEN, tick=False)
class PeopleTests(World):
    def people_url(self, reference: str) -> str:
        return step_url(reference, "people")

    def test_one_person_reused_across_two_decisions_and_both_found_from_the_person(self) -> None:
        client = self.client_for(self.alice_practitioner_org_a)
        first = start(client)
        walk(client, first, MAIN_PATH)  # adds Jamie Brown as someone new
        assert submit(client, first).status_code == 302
        jamie = Person.objects.get(organisation=self.org_a, full_name="Jamie Brown")

        second = start(client)
        walk(client, second, ["request"])
        page = client.get(self.people_url(second) + "?q=JAMIE").content.decode()
        assert "Jamie Brown" in page and f'value="{jamie.pk}"' in page
        by_birth = client.get(self.people_url(second) + "?born=4/5/2015").content.decode()
        assert f'value="{jamie.pk}"' in by_birth
        response = client.post(self.people_url(second), {"action": "pick", "person": jamie.pk, "pick_part": "child"})
        assert response.status_code == 302
        assert client.post(self.people_url(second), {"action": "continue"}).status_code == 302
        walk(client, second, MAIN_PATH[MAIN_PATH.index("information") :])
        assert submit(client, second).status_code == 302

        assert Person.objects.filter(organisation=self.org_a).count() == 1
        links = DecisionPerson.objects.filter(person=jamie).values_list("decision__reference", flat=True)
        assert sorted(links) == sorted([first, second])
        person_url = reverse("decisions:person", kwargs={"pk": jamie.pk})
        for user in (self.alice_practitioner_org_a, self.sue_supervisor_org_a, self.aud_auditor_org_a):
            html = self.client_for(user).get(person_url).content.decode()
            assert first in html and second in html, user
        # Another practitioner of the organisation sees the person but none of Alice's decisions.
        assert first not in self.client_for(self.amir_practitioner_org_a).get(person_url).content.decode()
        # A decision page links to the person.
        detail = client.get(reverse("decisions:detail", kwargs={"reference": second})).content.decode()
        assert person_url in detail

    def test_the_person_page_says_where_their_identity_is_protected(self) -> None:
        version = make_submitted_decision(self.alice_practitioner_org_a)
        jamie = Person.objects.get(organisation=self.org_a)
        person_url = reverse("decisions:person", kwargs={"pk": jamie.pk})
        client = self.client_for(self.alice_practitioner_org_a)
        html = client.get(person_url).content.decode()
        assert "Their identity is protected" not in html and "Identity protected" in html
        DecisionPerson.objects.filter(person=jamie).update(protect_identity=True)
        html = client.get(person_url).content.decode()
        assert "Their identity is protected" in html and f"Yes, in {version.decision.reference}" in html
        # Someone who cannot see that decision is not told its reference.
        html = self.client_for(self.amir_practitioner_org_a).get(person_url).content.decode()
        assert version.decision.reference not in html

    def test_another_organisation_can_neither_find_nor_pick_nor_see_a_person(self) -> None:
        make_submitted_decision(self.alice_practitioner_org_a)
        jamie = Person.objects.get(organisation=self.org_a)
        bob = self.client_for(self.bob_practitioner_org_b)
        reference = start(bob)
        walk(bob, reference, ["request"])
        page = bob.get(self.people_url(reference) + "?q=jamie").content.decode()
        assert "Jamie" not in page and "No one on your records matches" in page
        page = bob.get(self.people_url(reference) + "?born=4/5/2015").content.decode()
        assert "No one on your records matches" in page
        response = bob.post(self.people_url(reference), {"action": "pick", "person": jamie.pk, "pick_part": "child"})
        assert response.status_code == 404
        assert draft_answers(reference).get("people") is None
        missing = bob.post(self.people_url(reference), {"action": "pick", "person": 999999, "pick_part": "child"})
        assert missing.status_code == 404  # the same answer as for someone else's person
        for user in self.every_role_org_b:
            assert self.client_for(user).get(reverse("decisions:person", kwargs={"pk": jamie.pk})).status_code == 404
        assert bob.get(reverse("decisions:person", kwargs={"pk": "nonsense"})).status_code == 404
        # A stored list naming another organisation's person is refused by the service too.
        draft = DecisionDraft.objects.open().get(decision__reference=reference)
        entry = {**list_answer("people")["people"][0], "person_id": jamie.pk}
        with self.assertRaises(Exception):  # noqa: B017 - Http404, whatever the caller
            services.draft_save_step(
                by=self.bob_practitioner_org_b, draft=draft, step_key="people", answers={"people": [entry]}
            )

    def test_person_page_wrong_method_and_no_organisation(self) -> None:
        make_submitted_decision(self.alice_practitioner_org_a)
        jamie = Person.objects.get(organisation=self.org_a)
        url = reverse("decisions:person", kwargs={"pk": jamie.pk})
        assert self.client_for(self.alice_practitioner_org_a).post(url).status_code == 405
        assert self.client_for(self.nobody_without_org).get(url).status_code == 404

    def test_a_new_person_with_missing_details_is_an_error_and_nothing_is_saved(self) -> None:
        client = self.client_for(self.alice_practitioner_org_a)
        reference = start(client)
        response = client.post(
            self.people_url(reference), new_person(full_name="", date_of_birth_0="31", date_of_birth_1="2")
        )
        assert response.status_code == 200
        errors = form_errors(response)
        assert "Enter their full name" in errors and "must be a real date" in errors
        assert Person.objects.count() == 0 and draft_answers(reference).get("people") is None
        response = client.post(self.people_url(reference), {"action": "pick", "pick_part": "child"})
        assert "Select a person" in form_errors(response)
        response = client.get(self.people_url(reference) + "?born=yesterday")
        assert "Enter the date of birth as day, month and year" in response.content.decode()

    def test_adding_a_person_audits_without_their_details(self) -> None:
        client = self.client_for(self.alice_practitioner_org_a)
        reference = start(client)
        client.post(self.people_url(reference), new_person(full_name="Zoë Secret-Name"))
        event = AuditEvent.objects.get(action="person_create")
        assert "Secret" not in str(event.details) and "Zo" not in str(event.details)
        assert event.target_type == "decisions.person"

    def test_a_protected_identity_is_shown_as_protected_on_the_page_and_in_the_pdf(self) -> None:
        client = self.client_for(self.alice_practitioner_org_a)
        reference = start(client)
        walk(client, reference, ["request"])
        client.post(self.people_url(reference), new_person())
        client.post(
            self.people_url(reference),
            new_person(
                full_name="Pat Neighbour", part="other_adult", birth_date_accuracy="unknown", protect_identity="on"
            ),
        )
        client.post(self.people_url(reference), {"action": "continue"})
        walk(client, reference, MAIN_PATH[MAIN_PATH.index("information") :])
        assert submit(client, reference).status_code == 302
        detail = client.get(reverse("decisions:detail", kwargs={"reference": reference})).content.decode()
        assert "Pat Neighbour" in detail and "Identity protected" in detail
        link = DecisionPerson.objects.get(person__full_name="Pat Neighbour")
        assert link.protect_identity and link.part == "other_adult"
        version = DecisionVersion.objects.select_related("decision", "submitted_by").get(decision__reference=reference)
        text = pdf_text(pdf.render_pdf(version, generated_by=self.ada_admin_org_a, verify_url=VERIFY_URL) or b"")
        assert "Pat Neighbour (identity protected)" in text or "Pat Neighbour, Date of birth not known" in text
        assert "Identity protected: do not disclose who they are" in text


@time_machine.travel(FROZEN, tick=False)
class FollowUpTests(World):
    """Shared without consent and the family not yet told: telling them later is a follow-up until done."""

    WITHOUT_CONSENT_PATH = [*MAIN_PATH, "without_consent", "open_honest"]
    OVERRIDES = {
        "consent_outcome": {"consent_outcome": "refused", "consent_outcome_detail": "Mother said no"},
        "lawful_basis": {"article6": "e_public_task", "statutory_gateways": ["ca1989_s47"]},
        "open_honest": {
            "told": "no",
            "not_told_reason": "Telling them now could put the child at risk",
            "tell_later": "yes",
            "tell_by_0": "24",
            "tell_by_1": "11",
            "tell_by_2": "2026",
            "tell_who": "Alice, social worker",
        },
    }

    def setUp(self) -> None:
        self.client = self.client_for(self.alice_practitioner_org_a)
        self.reference = start(self.client)
        walk(self.client, self.reference, self.WITHOUT_CONSENT_PATH, self.OVERRIDES)
        assert submit(self.client, self.reference).status_code == 302
        self.decision = Decision.objects.get(reference=self.reference)

    def test_a_follow_up_is_due(self) -> None:
        # Recording it is a form of its own: tests/test_follow_ups.py.
        assert self.decision.follow_up_due == dt.date(2026, 11, 24)
        home = self.client.get("/").content.decode()
        assert "Families to tell" in home and "tell the family by 24 November 2026" in home
        listing = self.client.get(reverse("decisions:list")).content.decode()
        assert "Tell family by 24 Nov 2026" in listing

    def test_telling_later_needs_a_date_and_who(self) -> None:
        other = start(self.client)
        walk(self.client, other, self.WITHOUT_CONSENT_PATH[:-1], self.OVERRIDES)
        data = {**valid_post("open_honest"), "told": "no", "not_told_reason": "Unsafe", "tell_later": "yes"}
        response = post_step(self.client, other, "open_honest", data)
        assert response.status_code == 200
        errors = form_errors(response)
        assert "Enter when they will be told" in errors and "Enter who will tell them" in errors


class QueryCountTests(World):
    """Pages cost the same number of queries whatever the number of people and recipients."""

    def make(self, count: int) -> Decision:
        overrides = {"people": list_answer("people", count), "recipients": list_answer("recipients", count)}
        version = make_submitted_decision(self.alice_practitioner_org_a, overrides=overrides)
        assert len(version.answers["people"]["people"]) == count
        assert len(version.answers["recipients"]["recipients"]) == count
        return version.decision

    def count(self, client: Any, url: str) -> tuple[int, float]:
        client.get(url)  # warm caches (templates, session)
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            response = client.get(url)
            took = time.perf_counter() - began
        assert response.status_code == 200, url
        # A test runs inside a transaction, so each audit event's atomic block becomes a SAVEPOINT and RELEASE;
        # served for real (no ATOMIC_REQUESTS) the block is the outermost one and those two statements are not sent.
        sent = [q for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
        return len(sent), took

    def test_pages_stay_within_ten_queries_with_one_and_with_ten_people_and_recipients(self) -> None:
        alice = self.client_for(self.alice_practitioner_org_a)
        sue = self.client_for(self.sue_supervisor_org_a)
        measured = {}
        for count in (1, 10):
            decision = self.make(count)
            person = DecisionPerson.objects.filter(decision=decision).first()
            assert person is not None
            draft = services.decision_amend_start(by=self.alice_practitioner_org_a, decision=decision, reason="Check")
            pages = {
                "detail (practitioner)": (alice, reverse("decisions:detail", kwargs={"reference": decision.reference})),
                "detail with review forms": (
                    sue,
                    reverse("decisions:detail", kwargs={"reference": decision.reference}),
                ),
                "check answers": (alice, reverse("decisions:check", kwargs={"reference": decision.reference})),
                "people page": (alice, step_url(decision.reference, "people")),
                "recipients page": (alice, step_url(decision.reference, "recipients")),
                "decision list": (alice, reverse("decisions:list")),
                "review queue": (sue, reverse("oversight:queue")),
                "person page": (alice, reverse("decisions:person", kwargs={"pk": person.person_id})),
            }
            for name, (client, url) in pages.items():
                measured[(name, count)] = self.count(client, url)
            services.draft_discard(by=self.alice_practitioner_org_a, draft=draft)
        print("\nqueries and ms (1 / 10 people and recipients):")  # noqa: T201 - the report quotes these
        for name in {n for n, _ in measured}:
            one, ten = measured[(name, 1)], measured[(name, 10)]
            print(f"  {name}: {one[0]} / {ten[0]} queries, {one[1] * 1000:.0f} / {ten[1] * 1000:.0f} ms")  # noqa: T201
        for (name, count), (queries, _took) in measured.items():
            assert queries <= 10, (name, count, queries)
            assert queries == measured[(name, 1)][0], (name, "grows with the number of entries")


class PdfOfABigRecordTests(World):
    def test_a_ten_person_ten_recipient_record_prints_and_verifies(self) -> None:
        overrides = {"people": list_answer("people", 10), "recipients": list_answer("recipients", 10)}
        version = make_submitted_decision(self.alice_practitioner_org_a, overrides=overrides)
        version = DecisionVersion.objects.select_related("decision", "submitted_by").get(pk=version.pk)
        pdf.render_pdf(version, generated_by=self.ada_admin_org_a, verify_url=VERIFY_URL)  # warm fonts
        began = time.perf_counter()
        data = signing.sign_pdf(pdf.render_pdf(version, generated_by=self.ada_admin_org_a, verify_url=VERIFY_URL))
        took = time.perf_counter() - began
        assert data is not None
        print(f"\n10 people, 10 recipients: {len(data) / 1024:.0f} KB PDF in {took * 1000:.0f} ms")  # noqa: T201
        text = pdf_text(data)
        assert "Shared with (10 of 10)" in text and "Jamie Brown 9" in text and "Agency 9" in text
        check = verification.verify_attached_record(
            self.ada_admin_org_a, pdf.read_attached_record(data), signing.check_signature(data)
        )
        assert check.result == verification.Result.MATCH, check
