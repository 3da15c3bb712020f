"""`seed_demo` on an empty database: sample decisions in every state, made through the services, six months
of history, filled pages for every role, an audit trail that verifies, PDFs that render; and a second run
adds nothing."""

from __future__ import annotations

import datetime as dt
import os
import re
from io import StringIO
from unittest import mock

from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit import actions
from audit.models import AuditEvent
from decisions import pdf
from decisions.choices import ConsentStatus, DecisionStatus, Outcome, ReviewStatus
from decisions.models import Decision, DecisionPerson, DecisionVersion, Person
from oversight import demo
from oversight.models import Review

from .base import verified_client

DEMO_PASSWORD = "demo password for tests"
ORGS = {"north": "northshire", "south": "southvale"}


def seed() -> str:
    out = StringIO()
    with mock.patch.dict(os.environ, {"DEMO_PASSWORD": DEMO_PASSWORD}):
        call_command("seed_demo", stdout=out, stderr=StringIO())
    return out.getvalue()


@override_settings(DEMO=True)  # seed_demo and demo_code run only in the demo profile
class SeedDemoDecisionsTests(TestCase):
    output: str

    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = seed()

    def decisions(self, short: str) -> list[Decision]:
        return list(Decision.objects.filter(organisation__slug=ORGS[short]).select_related("current_version"))

    def test_every_state_in_both_organisations(self) -> None:
        for short in ORGS:
            with self.subTest(short):
                decisions = self.decisions(short)
                assert len(decisions) == len(demo.SCHEDULE)
                assert all(d.case_reference.startswith(f"DEMO-{short.upper()}-") for d in decisions)
                states = {(d.status, d.review_status) for d in decisions}
                assert (DecisionStatus.DRAFT, ReviewStatus.NONE) in states
                assert (DecisionStatus.DISCARDED, ReviewStatus.NONE) in states
                for review_status in (ReviewStatus.AWAITING, ReviewStatus.RETURNED, ReviewStatus.SIGNED_OFF):
                    assert (DecisionStatus.SUBMITTED, review_status) in states
                versions = [d.current_version for d in decisions if d.current_version is not None]
                amended = [v for v in versions if v.number == 2]
                assert len(amended) == 3 and all(v.amendment_reason for v in amended)
                consent = {(v.outcome, v.consent_status) for v in versions}
                assert (Outcome.SHARE_ALL, ConsentStatus.GIVEN) in consent
                assert (Outcome.SHARE_SOME, ConsentStatus.GIVEN) in consent
                assert (Outcome.NO_SHARE, ConsentStatus.GIVEN) in consent
                assert (Outcome.SHARE_ALL, ConsentStatus.REFUSED) in consent
                assert (Outcome.SHARE_ALL, ConsentStatus.NOT_OBTAINED) in consent
                not_sought = [v for v in versions if v.consent_status == ConsentStatus.NOT_SOUGHT]
                assert not_sought and all(v.consent_not_sought_reasons for v in not_sought)
                assert any(v.special_category for v in versions)

    def test_layout_3_people_recipients_and_follow_up(self) -> None:
        for short, slug in ORGS.items():
            with self.subTest(short):
                decisions = self.decisions(short)
                people = Person.objects.filter(organisation__slug=slug)
                # Each case's people are found again, not added twice: six families, fourteen people.
                assert people.count() == 14
                links = DecisionPerson.objects.filter(decision__in=decisions)
                assert all(p.decision_links.count() >= 2 for p in people)
                assert links.filter(protect_identity=True).exists()
                assert not links.exclude(person__organisation__slug=slug).exists()
                versions = [
                    d.current_version for d in decisions if d.current_version is not None and d.edition == "2018"
                ]
                for version in versions:
                    entries = version.answers["people"]["people"]
                    consent = version.answers.get("consent", {})
                    if consent.get("consent_sought") == "yes":
                        assert consent["consent_from"] in {str(e["person_id"]) for e in entries}
                counts = sorted(len(v.answers.get("recipients", {}).get("recipients", [])) for v in versions)
                assert counts[-1] == 3 and 2 in counts
                due = [d for d in decisions if d.follow_up_due is not None]
                assert len(due) == 1 and due[0].follow_up_done_at is None
                # Every person made was audited as made, with no name in the payload.
                made = AuditEvent.objects.filter(action=actions.PERSON_CREATE, organisation__slug=slug)
                assert made.count() == 14
                assert not any("Brook" in str(e.details) for e in made)

    def test_southvale_moves_to_the_2024_edition_for_its_last_week(self) -> None:
        south = Decision.objects.filter(organisation__slug="southvale")
        assert south.filter(edition="2024").count() == 6
        assert south.filter(edition="2018").count() == len(demo.SCHEDULE) - 6
        assert not Decision.objects.filter(organisation__slug="northshire", edition="2024").exists()
        changed = AuditEvent.objects.filter(action=actions.ORG_SETTINGS_CHANGE, organisation__slug="southvale")
        assert any(e.details.get("guidance_edition") == {"from": "2018", "to": "2024"} for e in changed)
        # The 2024 ones were asked the 2024 pages (layout 2): the people page, and rule 5 for each person whose
        # identity is protected.
        versions = DecisionVersion.objects.filter(decision__in=south.filter(edition="2024"))
        assert versions and all(v.layout == 2 and "people" in v.answers for v in versions)
        assert all("engage" in v.answers for v in versions if v.outcome != "no_share")
        protected = [v for v in versions if "protect_identities" in v.answers]
        assert len(protected) == 1
        (claire,) = [p for p in protected[0].answers["people"]["people"] if p["protect_identity"]]
        assert claire["full_name"] == "Claire Lewis"
        assert list(protected[0].answers["protect_identities"]["protection"]) == [str(claire["person_id"])]

    def test_history_spreads_over_six_months_in_time_order(self) -> None:
        now = timezone.now()
        submitted = DecisionVersion.objects.values_list("submitted_at", flat=True)
        assert min(submitted) < now - dt.timedelta(days=170)
        assert max(submitted) <= now
        months = {timezone.localtime(at).strftime("%Y-%m") for at in submitted}
        assert len(months) >= 6
        # Within each chain the events happened in the order they were appended.
        for key in set(AuditEvent.objects.values_list("chain_key", flat=True)):
            times = list(AuditEvent.objects.filter(chain_key=key).order_by("seq").values_list("occurred_at", flat=True))
            assert times == sorted(times), key
        # The supervisor read each record before reviewing it.
        for review in Review.objects.select_related("decision")[:10]:
            viewed = AuditEvent.objects.filter(
                target_ref=review.decision.reference, action=actions.DECISION_VIEW, actor=review.reviewer
            )
            assert viewed.filter(occurred_at__lt=review.created_at).exists(), review.decision.reference

    def test_the_audit_trail_verifies(self) -> None:
        out = StringIO()
        call_command("verify_audit", stdout=out)
        assert out.getvalue().startswith("OK")

    def test_running_again_adds_nothing(self) -> None:
        counts = (Decision.objects.count(), DecisionVersion.objects.count())
        last_event = AuditEvent.objects.latest("id").pk
        output = seed()
        assert (Decision.objects.count(), DecisionVersion.objects.count()) == counts
        assert "0 made, 24 already there" in output
        # The same DEMO_PASSWORD again changes no account, so nothing enters the trail (a password change would:
        # issue 25 item 2, tested below).
        assert list(AuditEvent.objects.filter(pk__gt=last_event).values_list("action", flat=True)) == []

    def test_a_new_demo_password_is_an_audited_account_change(self) -> None:
        last_event = AuditEvent.objects.latest("id").pk
        with mock.patch.dict(os.environ, {"DEMO_PASSWORD": DEMO_PASSWORD + "-new"}):
            call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
        new = AuditEvent.objects.filter(pk__gt=last_event)
        assert new.count() == User.objects.filter(username__contains=".").count() + 1  # and the superuser
        assert all(e.action == actions.USER_CHANGE and e.details == {"changed": ["password"]} for e in new), [
            (e.action, e.details) for e in new
        ]

    def test_each_role_sees_filled_pages(self) -> None:
        pages = {
            "practitioner": ["home", "decisions:list"],
            "supervisor": ["home", "decisions:list", "oversight:queue", "oversight:dashboard", "audit:log"],
            "admin": ["home", "decisions:list", "oversight:dashboard"],
            "auditor": ["home", "decisions:list", "oversight:dashboard", "audit:log"],
        }
        for short in ORGS:
            sample = Decision.objects.filter(organisation__slug=ORGS[short], status=DecisionStatus.SUBMITTED).first()
            other = Decision.objects.exclude(organisation__slug=ORGS[short]).first()
            assert sample is not None and other is not None
            for role, names in pages.items():
                client = verified_client(User.objects.get(username=f"{role}.{short}"))
                for name in names:
                    with self.subTest(short=short, role=role, page=name):
                        response = client.get(reverse(name))
                        assert response.status_code == 200
                        html = response.content.decode()
                        if name in ("decisions:list", "oversight:queue", "audit:log"):
                            assert f"{sample.organisation.reference_prefix}-" in html
                            assert other.reference not in html
                        if name == "oversight:dashboard":
                            assert "No decisions" not in html

    def test_home_pages_count_the_samples(self) -> None:
        home = verified_client(User.objects.get(username="practitioner.north")).get(reverse("home"))
        html = home.content.decode()
        assert "1 to fix" in html and "2 drafts" in html and "5 waiting" in html
        home = verified_client(User.objects.get(username="supervisor.south")).get(reverse("home"))
        html = home.content.decode()
        assert "5 waiting" in html and "1 returned" in html
        # Submitted 12 days and some hours ago, in working hours.
        assert re.search(r"The oldest has waited 1[23] days", html)

    def test_pdfs_render(self) -> None:
        admin = User.objects.get(username="admin.north")
        for version in DecisionVersion.objects.filter(decision__organisation__slug="northshire").order_by("pk")[::6]:
            with self.subTest(version.decision.reference):
                data = pdf.render_pdf(version, generated_by=admin, verify_url="https://example.org/verify")
                assert data is not None and data.startswith(b"%PDF")


@override_settings(DEMO=True)  # seed_demo and demo_code run only in the demo profile
class SeedDemoWithoutDecisionsTests(TestCase):
    def test_no_decisions_makes_only_the_people(self) -> None:
        with mock.patch.dict(os.environ, {"DEMO_PASSWORD": DEMO_PASSWORD}):
            call_command("seed_demo", "--no-decisions", stdout=StringIO(), stderr=StringIO())
        # Four roles and a second admin in each organisation, and the superuser.
        assert User.objects.filter(demo_account=True).count() == 11
        assert not Decision.objects.exists()
