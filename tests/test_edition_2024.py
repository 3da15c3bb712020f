"""The May 2024 edition beside July 2018 (issue 13): organisations choose the edition of new decisions, a
decision keeps its edition through drafts and amendments, 2024 decisions are asked their own questions, and
records of both editions render, export and verify under their own rules."""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import io
import re

from django.db import migrations
from django.urls import reverse

from accounts.models import GuidanceEdition, Organisation
from audit.models import AuditEvent
from decisions import examples, guidance, pdf, services, signing, wizard
from decisions.choices import Outcome
from decisions.forms import people_in
from decisions.models import Decision, DecisionDraft, DecisionVersion, canonical_json
from exports import tasks, verification

from .base import World, form_errors
from .factories import make_submitted_decision
from .test_pdf import VERIFY_URL, pdf_text
from .wizard_helpers import MAIN_PATH, start, step_url, submit, walk

SETTINGS_URL = reverse("oversight:organisation")
EDITION_URL = reverse("oversight:organisation_edition")


def on_2024(org: Organisation) -> None:
    Organisation.objects.filter(pk=org.pk).update(guidance_edition="2024")


def draft_answers(reference: str) -> dict:
    return DecisionDraft.objects.open().get(decision__reference=reference).answers


def post_2024(client, reference: str, step: str, **overrides):  # type: ignore[no-untyped-def]
    """Answer one page as the browser would (a list page: each entry, then "Save and continue"); the response
    to the first post that is not a redirect, or to the last."""
    people = people_in(draft_answers(reference))
    for data in examples.page_posts(step, {**examples.EXAMPLE_POSTS_2024[step], **overrides}, people):
        response = client.post(step_url(reference, step), data)
        if response.status_code != 302:
            return response
    return response


def walk_2024(client, reference: str, steps: list[str], overrides: dict | None = None) -> None:  # type: ignore[no-untyped-def]
    overrides = overrides or {}
    for step in steps:
        response = post_2024(client, reference, step, **overrides.get(step, {}))
        assert response.status_code == 302, (step, form_errors(response) or response.content.decode()[:2000])


ABOUT_2024 = ["request", "people", "information", "advice", "consent"]
WEIGH_2024 = ["safety", "necessary", "decision"]
SHARE_TAIL_2024 = ["lawful_basis", "quality", "engage", "protect_identities", "sending", "recipients"]


class EditionDataTests(World):
    def test_the_setting_offers_exactly_the_editions_that_have_rules_and_questions(self) -> None:
        assert GuidanceEdition.values == list(guidance.EDITIONS)
        for code, edition in guidance.EDITIONS.items():
            assert [p.number for p in edition.principles] == [1, 2, 3, 4, 5, 6, 7], code
            for (flow_code, layout), flow in wizard.FLOWS.items():
                if flow_code == code:
                    for step in flow.steps:
                        assert flow.question(step.key).title, (code, layout, step.key)

    def test_2024_questions_point_at_2024_rules(self) -> None:
        flow = wizard.flow_for("2024")
        assert flow.question("engage").rule == 2
        assert flow.question("consent").rule == 3 and flow.question("lawful_basis").rule == 3
        assert flow.question("advice").rule == 4
        assert flow.question("protect_identities").rule == 5
        assert flow.question("quality").rule == 6
        assert flow.question("alternatives").rule == 7
        rules = {p.number: p.title for p in guidance.edition("2024").principles}
        assert rules[5] == "Protect identities" and "timely" not in guidance.edition("2024").principles[5].text
        gateways = dict(guidance.STATUTORY_GATEWAYS_2024)
        assert "Working Together to Safeguard Children 2023" in gateways["wt2023"]
        assert gateways["protocol_2013"].startswith("2013 Protocol and Good Practice Model")

    def test_new_organisations_start_on_2024(self) -> None:
        org = Organisation.objects.create(name="New Partnership", slug="new", reference_prefix="NEW")
        assert org.guidance_edition == "2024"


class ExistingOrganisationsKeep2018Tests(World):
    """The migration gives organisations that already exist the 2018 edition their decisions always had. Its
    operations are checked rather than run backwards: a TransactionTestCase cannot flush the append-only tables
    on PostgreSQL."""

    def test_migration_fills_2018_then_defaults_to_2024(self) -> None:
        migration = importlib.import_module("accounts.migrations.0004_organisation_guidance_edition").Migration
        add, alter = migration.operations[0], migration.operations[1]
        assert isinstance(add, migrations.AddField) and add.name == "guidance_edition"
        assert add.field.default == "2018" and add.preserve_default is False
        assert isinstance(alter, migrations.AlterField) and alter.field.default == "2024"
        assert Organisation._meta.get_field("guidance_edition").default == "2024"


class EditionSettingTests(World):
    def test_admin_switches_new_decisions_to_2024_and_it_is_audited(self) -> None:
        client = self.client_for(self.ada_admin_org_a)
        settings_page = client.get(SETTINGS_URL).content.decode()
        assert "Edition of the advice for new decisions" in settings_page and "(July 2018)" in settings_page
        page = client.get(EDITION_URL)
        assert page.status_code == 200
        assert re.search(r'value="2018"\s+checked', page.content.decode())
        assert not re.search(r'value="2024"\s+checked', page.content.decode())
        response = client.post(EDITION_URL, {"guidance_edition": "2024"})
        assert response.status_code == 302 and response["Location"] == SETTINGS_URL
        assert Organisation.objects.get(pk=self.org_a.pk).guidance_edition == "2024"
        assert Organisation.objects.get(pk=self.org_b.pk).guidance_edition == "2018"
        event = AuditEvent.objects.filter(action="org_settings_change", organisation_id=self.org_a.pk).get()
        assert event.details == {"guidance_edition": {"from": "2018", "to": "2024"}}
        assert event.actor_id == self.ada_admin_org_a.pk
        auditor_log = self.client_for(self.aud_auditor_org_a).get(reverse("audit:log")).content.decode()
        assert "Edition of the advice for new decisions changed from" in auditor_log
        # Saving the same edition again records nothing more.
        client.post(EDITION_URL, {"guidance_edition": "2024"})
        assert AuditEvent.objects.filter(action="org_settings_change").count() == 1

    def test_invalid_input_shows_an_error_and_saves_nothing(self) -> None:
        client = self.client_for(self.ada_admin_org_a)
        for data in ({}, {"guidance_edition": "2030"}):
            response = client.post(EDITION_URL, data)
            assert response.status_code == 200
            assert "Select the edition of the advice for new decisions" in form_errors(response)
        assert Organisation.objects.get(pk=self.org_a.pk).guidance_edition == "2018"
        assert not AuditEvent.objects.filter(action="org_settings_change").exists()

    def test_only_admins_change_it(self) -> None:
        for user in (self.alice_practitioner_org_a, self.sue_supervisor_org_a, self.aud_auditor_org_a):
            client = self.client_for(user)
            assert client.get(EDITION_URL).status_code == 403, user
            assert client.post(EDITION_URL, {"guidance_edition": "2024"}).status_code == 403, user
        assert Organisation.objects.get(pk=self.org_a.pk).guidance_edition == "2018"

    def test_another_organisations_admin_changes_only_theirs(self) -> None:
        self.client_for(self.bea_admin_org_b).post(EDITION_URL, {"guidance_edition": "2024"})
        assert Organisation.objects.get(pk=self.org_a.pk).guidance_edition == "2018"
        assert Organisation.objects.get(pk=self.org_b.pk).guidance_edition == "2024"

    def test_wrong_method(self) -> None:
        assert self.client_for(self.ada_admin_org_a).put(EDITION_URL).status_code == 405

    def test_the_service_refuses_an_unknown_edition(self) -> None:
        from django.core.exceptions import ValidationError

        from oversight import services as oversight_services

        with self.assertRaises(ValidationError):
            oversight_services.organisation_edition_update(by=self.ada_admin_org_a, guidance_edition="1999")


class DecisionsKeepTheirEditionTests(World):
    def test_new_decisions_follow_the_setting_and_drafts_keep_theirs(self) -> None:
        client = self.client_for(self.alice_practitioner_org_a)
        old_draft = start(client)
        walk(client, old_draft, ["request", "information"])
        self.client_for(self.ada_admin_org_a).post(EDITION_URL, {"guidance_edition": "2024"})
        start_page = client.get(reverse("decisions:start")).content.decode()
        assert "May 2024" in start_page and "Children have a right" not in start_page
        new_draft = start(client)
        assert Decision.objects.get(reference=new_draft).edition == "2024"
        assert DecisionDraft.objects.get(decision__reference=new_draft).layout == wizard.current_layout("2024")
        # The draft started before the switch is still a 2018 draft, asked the 2018 questions.
        assert Decision.objects.get(reference=old_draft).edition == "2018"
        assert client.get(step_url(old_draft, "engage")).status_code == 404
        walk(client, old_draft, MAIN_PATH[2:])
        assert submit(client, old_draft).status_code == 302
        version = DecisionVersion.objects.get(decision__reference=old_draft)
        assert version.edition == "2018" and version.layout == wizard.current_layout("2018")
        # The new draft is asked the 2024 ones.
        page = client.get(step_url(new_draft, "consent")).content.decode()
        assert "Did you ask for consent to share the information?" in page
        assert client.get(step_url(new_draft, "open_honest")).status_code == 404

    def test_an_amendment_keeps_the_records_edition(self) -> None:
        version = make_submitted_decision(self.alice_practitioner_org_a)
        on_2024(self.org_a)
        draft = services.decision_amend_start(
            by=self.alice_practitioner_org_a, decision=version.decision, reason="Recipient's address corrected"
        )
        assert draft.decision.edition == "2018" and draft.layout == version.layout
        amended = services.decision_submit(by=self.alice_practitioner_org_a, draft=draft)
        assert amended.edition == "2018" and amended.number == 2

    def test_a_2024_amendment_stays_2024_after_switching_back(self) -> None:
        on_2024(self.org_a)
        version = examples.record_example_2024_decision(by=self.alice_practitioner_org_a)
        Organisation.objects.filter(pk=self.org_a.pk).update(guidance_edition="2018")
        draft = services.decision_amend_start(
            by=self.alice_practitioner_org_a, decision=version.decision, reason="More detail"
        )
        amended = services.decision_submit(by=self.alice_practitioner_org_a, draft=draft)
        assert amended.edition == "2024" and amended.previous_id == version.pk

    def test_the_example_helper_refuses_an_organisation_on_2018(self) -> None:
        from django.core.exceptions import ValidationError

        with self.assertRaises(ValidationError):
            examples.record_example_2024_decision(by=self.alice_practitioner_org_a)
        assert not Decision.objects.filter(organisation=self.org_a).exists()


class Journeys2024Tests(World):
    """Each branch of a 2024 decision, page by page, through the views."""

    def setUp(self) -> None:
        on_2024(self.org_a)
        self.client = self.client_for(self.alice_practitioner_org_a)
        self.reference = start(self.client)

    def version(self) -> DecisionVersion:
        return DecisionVersion.objects.get(decision__reference=self.reference)

    def test_share_all_with_consent_given(self) -> None:
        walk_2024(self.client, self.reference, [*ABOUT_2024, "consent_outcome", *WEIGH_2024, *SHARE_TAIL_2024])
        check = self.client.get(reverse("decisions:check", kwargs={"reference": self.reference})).content.decode()
        assert "May 2024" in check and "Golden rule 5: Protect identities" in check
        assert "Working Together to Safeguard Children 2023" in check
        assert submit(self.client, self.reference).status_code == 302
        version = self.version()
        assert (version.edition, version.layout, version.outcome, version.consent_status) == (
            "2024", 2, "share_all", "given",
        )  # fmt: skip
        people = {p["full_name"]: str(p["person_id"]) for p in version.answers["people"]["people"]}
        assert version.answers["protect_identities"] == {
            "protection": {
                people["Karen Brown"]: examples.EXAMPLE_POSTS_2024["protect_identities"]["Karen Brown"],
                people["Pat Green"]: examples.EXAMPLE_POSTS_2024["protect_identities"]["Pat Green"],
            }
        }
        # Consent was asked of a person on the record; the agencies shared with are counted.
        assert version.answers["consent"]["consent_from"] == people["Karen Brown"]
        assert version.recipient_agencies == "West Midlands Police"
        assert version.canonical_content()["layout"] == 2 and version.canonical_content()["edition"] == "2024"
        assert version.decision.follow_up_due is None

    def test_share_some_with_consent_refused_asks_why_and_about_engaging(self) -> None:
        walk_2024(
            self.client,
            self.reference,
            [*ABOUT_2024, "consent_outcome", *WEIGH_2024, "without_consent", *SHARE_TAIL_2024],
            {
                "consent_outcome": {"consent_outcome": "refused", "consent_outcome_detail": "Father said no"},
                "decision": {
                    "outcome": "share_some",
                    "shared_part": "The attendance record",
                    "withheld": "The notes of the conversations",
                },
                "engage": {
                    "engaged": "no",
                    "not_engaged_reason": "Telling the father may increase the risk",
                    "tell_later": "yes",
                    "tell_by_0": "17",
                    "tell_by_1": "11",
                    "tell_by_2": "2026",
                    "tell_who": "Alex, the social worker",
                },
            },
        )
        assert submit(self.client, self.reference).status_code == 302
        version = self.version()
        assert (version.outcome, version.consent_status) == ("share_some", "refused")
        assert version.answers["engage"]["not_engaged_reason"].startswith("Telling the father")
        assert version.answers["decision"]["shared_part"] == "The attendance record"
        # Not told yet, to be told later: the decision shows when, as 2018's layout 3 does.
        assert version.decision.follow_up_due == dt.date(2026, 11, 17)
        detail = self.client.get(reverse("decisions:detail", kwargs={"reference": self.reference})).content.decode()
        assert "Tell the family by 17 November 2026" in detail

    def test_not_sharing_with_consent_not_sought_records_what_was_offered_instead(self) -> None:
        walk_2024(
            self.client,
            self.reference,
            [*ABOUT_2024, "consent_not_sought", *WEIGH_2024, "requester_told", "alternatives"],
            {"consent": {"consent_sought": "no"}, "decision": examples.NO_SHARE_2024},
        )
        assert submit(self.client, self.reference).status_code == 302
        version = self.version()
        assert (version.outcome, version.consent_status, version.consent_not_sought_reasons) == (
            "no_share", "not_sought", "increase_risk",
        )  # fmt: skip
        assert version.lawful_basis == "" and version.sharing_method == ""
        assert version.answers["alternatives"]["offered"] == ["part"]
        assert "engage" not in version.answers and "protect_identities" not in version.answers

    def test_consent_as_the_basis_is_explained_not_refused(self) -> None:
        walk_2024(self.client, self.reference, [*ABOUT_2024, "consent_outcome", *WEIGH_2024])
        response = post_2024(self.client, self.reference, "lawful_basis", article6="a_consent")
        assert response.status_code == 302
        assert response["Location"] == step_url(self.reference, "consent_basis")
        page = self.client.get(response["Location"]).content.decode()
        assert "rarely the most appropriate lawful basis" in page
        assert "You chose consent as the lawful basis" in page
        invalid = self.client.post(step_url(self.reference, "consent_basis"), {"consent_basis_reason": ""})
        assert "Enter why consent is the right lawful basis" in form_errors(invalid)
        walk_2024(self.client, self.reference, ["consent_basis", *SHARE_TAIL_2024[1:]])
        assert submit(self.client, self.reference).status_code == 302
        assert self.version().lawful_basis == "a_consent"

    def test_consent_cannot_be_the_basis_when_it_was_refused(self) -> None:
        walk_2024(
            self.client,
            self.reference,
            [*ABOUT_2024, "consent_outcome", *WEIGH_2024, "without_consent"],
            {"consent_outcome": {"consent_outcome": "refused", "consent_outcome_detail": "No"}},
        )
        response = post_2024(self.client, self.reference, "lawful_basis", article6="a_consent")
        assert response.status_code == 200
        assert "Consent cannot be the lawful basis because consent was refused" in form_errors(response)
        assert "lawful_basis" not in DecisionDraft.objects.get(decision__reference=self.reference).answers

    def protected_ids(self) -> dict[str, str]:
        return {
            p["full_name"]: str(p["person_id"])
            for p in people_in(draft_answers(self.reference))
            if p["protect_identity"]
        }

    def test_protect_identities_asks_for_each_protected_person(self) -> None:
        walk_2024(self.client, self.reference, [*ABOUT_2024, "consent_outcome", *WEIGH_2024, "lawful_basis"])
        url = step_url(self.reference, "protect_identities")
        page = self.client.get(url).content.decode()
        for name in ("Karen Brown", "Pat Green"):
            assert f"What have you done to protect {name}'s identity, and what have you asked the recipient" in page
        assert "Their part in this decision: parent or carer" in page and "decision: other adult" in page
        assert "Jamie Brown" not in page  # not protected: not asked about
        ids = self.protected_ids()
        response = self.client.post(url, {f"protect_{ids['Karen Brown']}": "Her address is left out"})
        summary = form_errors(response).split("</ul>")[0]
        assert "Enter what you have done to protect Pat Green&#x27;s identity" in summary
        assert "Karen Brown" not in summary
        assert "protect_identities" not in draft_answers(self.reference)  # nothing saved
        # An answer for someone not on the record, or not protected, is not kept.
        data = {
            f"protect_{ids['Karen Brown']}": "Her address is left out",
            f"protect_{ids['Pat Green']}": "Name left out",
            "protect_999999": "Not a person on the record",
        }
        response = self.client.post(url, data)
        assert response.status_code == 302
        assert draft_answers(self.reference)["protect_identities"] == {
            "protection": {ids["Karen Brown"]: "Her address is left out", ids["Pat Green"]: "Name left out"}
        }

    def test_the_page_is_not_asked_when_no_one_is_protected(self) -> None:
        unprotected = [
            {k: v for k, v in p.items() if k != "protect_identity"}
            for p in examples.EXAMPLE_POSTS_2024["people"]["people"]
        ]
        walk_2024(
            self.client,
            self.reference,
            [*ABOUT_2024, "consent_outcome", *WEIGH_2024, "lawful_basis", "quality", "engage"],
            {"people": {"people": unprotected}},
        )
        response = self.client.get(step_url(self.reference, "protect_identities"))
        assert response.status_code == 302 and response["Location"] == step_url(self.reference, "sending")
        walk_2024(self.client, self.reference, ["sending", "recipients"])
        assert submit(self.client, self.reference).status_code == 302
        assert "protect_identities" not in self.version().answers

    def test_a_person_marked_after_the_page_was_answered_is_caught_at_check_and_submit(self) -> None:
        walk_2024(self.client, self.reference, [*ABOUT_2024, "consent_outcome", *WEIGH_2024, *SHARE_TAIL_2024])
        # The child is added again, now with their identity protected.
        people_url = step_url(self.reference, "people")
        child = examples.EXAMPLE_POSTS_2024["people"]["people"][0]
        assert self.client.post(people_url, {"action": "remove", "entry": "1"}).status_code == 302
        assert self.client.post(people_url, {"action": "new", **child, "protect_identity": "on"}).status_code == 302
        check_url = reverse("decisions:check", kwargs={"reference": self.reference})
        check = self.client.get(check_url).content.decode()
        assert "Say what you have done to protect the identity of Jamie Brown" in check
        response = submit(self.client, self.reference)
        assert response.status_code == 200
        assert "Say what you have done to protect the identity of Jamie Brown" in form_errors(response)
        assert not DecisionVersion.objects.filter(decision__reference=self.reference).exists()
        ids = self.protected_ids()
        answers = {f"protect_{pid}": f"Steps for {name}" for name, pid in ids.items()}
        assert self.client.post(step_url(self.reference, "protect_identities"), answers).status_code == 302
        assert submit(self.client, self.reference).status_code == 302
        assert len(self.version().answers["protect_identities"]["protection"]) == 3

    def test_an_answer_for_someone_no_longer_protected_is_asked_again(self) -> None:
        walk_2024(self.client, self.reference, [*ABOUT_2024, "consent_outcome", *WEIGH_2024, *SHARE_TAIL_2024])
        people_url = step_url(self.reference, "people")
        neighbour = examples.EXAMPLE_POSTS_2024["people"]["people"][2]
        # Pat Green is removed and added again without protection.
        assert self.client.post(people_url, {"action": "remove", "entry": "3"}).status_code == 302
        unprotected = {k: v for k, v in neighbour.items() if k != "protect_identity"}
        assert self.client.post(people_url, {"action": "new", **unprotected}).status_code == 302
        check = self.client.get(reverse("decisions:check", kwargs={"reference": self.reference})).content.decode()
        assert "it has an answer for someone whose identity is no longer marked as protected" in check
        assert submit(self.client, self.reference).status_code == 200
        walk_2024(self.client, self.reference, ["protect_identities"])
        karen = self.protected_ids()["Karen Brown"]
        assert submit(self.client, self.reference).status_code == 302
        assert list(self.version().answers["protect_identities"]["protection"]) == [karen]

    def test_each_persons_answer_is_shown_with_their_name_on_check_answers_the_record_and_the_pdf(self) -> None:
        walk_2024(self.client, self.reference, [*ABOUT_2024, "consent_outcome", *WEIGH_2024, *SHARE_TAIL_2024])
        posts = examples.EXAMPLE_POSTS_2024["protect_identities"]
        check = self.client.get(reverse("decisions:check", kwargs={"reference": self.reference})).content.decode()
        detail_url = reverse("decisions:detail", kwargs={"reference": self.reference})
        assert submit(self.client, self.reference).status_code == 302
        detail = self.client.get(detail_url).content.decode()
        for html in (check, detail):
            assert re.search(r"Karen Brown \(parent or carer\)</dt>\s*<dd[^>]*>\s*Her new address is left out", html)
            assert re.search(r"Pat Green \(other adult\)</dt>\s*<dd[^>]*>\s*The neighbour&#x27;s name", html)
        version = DecisionVersion.objects.select_related("decision", "submitted_by").get(pk=self.version().pk)
        text = pdf_text(
            pdf.render_pdf(version, generated_by=self.alice_practitioner_org_a, verify_url=VERIFY_URL) or b""
        )
        flat = " ".join(text.split())
        assert "Karen Brown (parent or carer)" in flat and posts["Karen Brown"] in flat
        assert "Pat Green (other adult)" in flat and posts["Pat Green"] in flat

    def test_another_organisation_and_wrong_method(self) -> None:
        other = self.client_for(self.bob_practitioner_org_b)
        assert other.get(step_url(self.reference, "engage")).status_code == 404
        assert self.client.put(step_url(self.reference, "engage")).status_code == 405
        assert self.client.get(step_url("OA-2026-99999", "engage")).status_code == 404


class SideBySideTests(World):
    """A 2018 record and a 2024 record in one organisation: each under its own rules, both verifying."""

    def test_each_renders_its_own_rules_on_the_page_and_in_the_pdf_and_both_verify(self) -> None:
        old = make_submitted_decision(self.alice_practitioner_org_a)
        on_2024(self.org_a)
        new = examples.record_example_2024_decision(by=self.alice_practitioner_org_a)
        client = self.client_for(self.aud_auditor_org_a)
        old_page = client.get(reverse("decisions:detail", kwargs={"reference": old.decision.reference})).content
        new_page = client.get(reverse("decisions:detail", kwargs={"reference": new.decision.reference})).content
        assert b"(July 2018)" in old_page and b"Golden rule 5: Consider safety and well-being" in old_page
        assert b"(May 2024)" in new_page and b"Golden rule 5: Protect identities" in new_page
        assert b"Consider safety and well-being" not in new_page
        for version, rule6 in (
            (old, "Golden rule 6: Necessary, proportionate, relevant, adequate, accurate, timely and secure"),
            (new, "Golden rule 6: Share only relevant and accurate information"),
        ):
            version = DecisionVersion.objects.select_related("decision", "submitted_by").get(pk=version.pk)
            data = signing.sign_pdf(pdf.render_pdf(version, generated_by=self.aud_auditor_org_a, verify_url=VERIFY_URL))
            assert data is not None
            text = pdf_text(data)
            assert rule6 in text
            assert guidance.edition(version.edition).title.split(":")[0] in text
            assert verification.verify_code(self.aud_auditor_org_a, version.content_hash).result == (
                verification.Result.MATCH
            )
            assert version.content_hash == version.compute_content_hash()
        new_text = pdf_text(
            pdf.render_pdf(
                DecisionVersion.objects.select_related("decision", "submitted_by").get(pk=new.pk),
                generated_by=self.aud_auditor_org_a,
                verify_url=VERIFY_URL,
            )
            or b""
        )
        # The 2024 rules in full, and how their wording was checked.
        assert "takes priority over protecting their privacy" in new_text
        assert "checked against published summaries" in new_text
        assert "Pat Green" in new_text and "The neighbour's name and address are left out" in " ".join(new_text.split())
        assert canonical_json(new.canonical_content()).count('"edition":"2024"') == 1


class EditionFilterTests(World):
    def setUp(self) -> None:
        make_submitted_decision(self.alice_practitioner_org_a)
        make_submitted_decision(self.alice_practitioner_org_a)
        on_2024(self.org_a)
        self.new = examples.record_example_2024_decision(by=self.alice_practitioner_org_a, outcome=Outcome.NO_SHARE)

    def test_dashboard_counts_each_edition(self) -> None:
        client = self.client_for(self.sue_supervisor_org_a)
        url = reverse("oversight:dashboard")
        every = client.get(url)
        assert every.context["figures"].total == 3
        assert client.get(url, {"edition": "2018"}).context["figures"].total == 2
        only_2024 = client.get(url, {"edition": "2024"})
        assert only_2024.context["figures"].total == 1 and only_2024.context["figures"].awaiting == 1
        assert "made under the May 2024 advice" in only_2024.content.decode()
        wrong = client.get(url, {"edition": "1999"})
        assert wrong.status_code == 200 and "Select an edition from the list" in form_errors(wrong)
        assert wrong.context["figures"].total == 3

    def test_audit_log_filters_by_edition(self) -> None:
        client = self.client_for(self.aud_auditor_org_a)
        url = reverse("audit:log")
        refs_2024 = {e.target_ref for e in client.get(url, {"edition": "2024"}).context["page"].events}
        assert refs_2024 == {self.new.decision.reference}
        refs_2018 = {e.target_ref for e in client.get(url, {"edition": "2018"}).context["page"].events}
        assert self.new.decision.reference not in refs_2018 and len(refs_2018) == 2
        wrong = client.get(url, {"edition": "1999"})
        assert wrong.status_code == 200 and "Select an edition from the list" in form_errors(wrong)

    def test_index_csv_names_each_rows_edition(self) -> None:
        rows = [
            tasks.IndexRow(1, "OA-1", 1, "a" * 64, "Do not share", "Front door A", "1 May", "a.pdf", "July 2018"),
            # A chunk stored before the column existed.
            tasks.IndexRow(
                **{"decision_id": 2, "reference": "OA-2", "version": 1, "content_hash": "b" * 64,
                   "outcome": "Do not share", "team": "", "submitted_at": "2 May", "filename": "b.pdf"}
            ),
        ]  # fmt: skip
        parsed = list(csv.reader(io.StringIO(tasks._index_csv(rows).decode("utf-8-sig"))))
        # The edition follows the original columns; the people and recipient columns (issue 12) come after it.
        column = parsed[0].index("Edition of the advice")
        assert column == 7
        assert parsed[1][column] == "July 2018" and parsed[2][column] == ""
