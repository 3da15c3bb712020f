"""Home pages as work queues (a link and a count per line, per role), the decision list's filters, and the
header navigation."""

from __future__ import annotations

import datetime as dt
import re

import time_machine
from django.urls import reverse
from django.utils import timezone

from audit.models import ChainCheck
from decisions import services as decision_services
from exports.models import BulkExport, ExportStatus
from oversight import services as review_services

from .base import World
from .factories import answers_for, make_submitted_decision
from .oversight_helpers import count_queries

HOME = reverse("home")
LIST = reverse("decisions:list")


def queue_item(html: str, key: str) -> str:
    """The HTML of one line of the work queue."""
    start = html.index(f'data-queue="{key}"')
    return html[start : html.index("</li>", start)]


def queue_keys(html: str) -> list[str]:
    return re.findall(r'data-queue="([a-z_]+)"', html)


def nav(html: str) -> str:
    start = html.index('id="navigation"')
    return html[start : html.index("</ul>", start)]


class PractitionerHomeTests(World):
    def make_draft(self) -> str:
        draft = decision_services.decision_start(by=self.alice_practitioner_org_a)
        decision_services.draft_save_step(
            by=self.alice_practitioner_org_a,
            draft=draft,
            step_key="request",
            answers=answers_for(["request"])["request"],
        )
        return draft.decision.reference

    def test_counts_and_links(self) -> None:
        draft = self.make_draft()
        returned = make_submitted_decision(self.alice_practitioner_org_a)
        review_services.review_return(
            by=self.sue_supervisor_org_a, decision=returned.decision, version=returned, comment="Say who was told"
        )
        make_submitted_decision(self.alice_practitioner_org_a)
        make_submitted_decision(self.amir_practitioner_org_a)  # a colleague's: not counted
        make_submitted_decision(self.bob_practitioner_org_b)  # another organisation's: not counted
        html = self.client_for(self.alice_practitioner_org_a).get(HOME).content.decode()
        assert queue_keys(html) == ["returned", "drafts", "awaiting", "all"]
        assert f'href="{LIST}?show=returned"' in queue_item(html, "returned") and "1 to fix" in queue_item(
            html, "returned"
        )
        assert "govuk-tag--red" in queue_item(html, "returned")
        assert f'href="{LIST}?show=drafts"' in queue_item(html, "drafts") and "1 draft" in queue_item(html, "drafts")
        assert "1 waiting" in queue_item(html, "awaiting") and "3 decisions" in queue_item(html, "all")
        # Returned decisions are highlighted above everything else.
        banner = html[html.index("govuk-notification-banner") : html.index("Record a new decision")]
        assert "A decision was returned to you to fix" in banner and f"{LIST}?show=returned" in banner
        assert draft in html and returned.decision.reference in html  # recent decisions

    def test_nothing_to_fix_is_not_highlighted(self) -> None:
        html = self.client_for(self.alice_practitioner_org_a).get(HOME).content.decode()
        assert "returned to you to fix" not in html and "govuk-tag--red" not in queue_item(html, "returned")
        assert "None" in queue_item(html, "returned") and "0 decisions" in queue_item(html, "all")

    def test_queries_do_not_grow_with_the_decisions(self) -> None:
        client = self.client_for(self.alice_practitioner_org_a)
        make_submitted_decision(self.alice_practitioner_org_a)
        one, _ = count_queries(client, HOME)
        for _ in range(19):
            make_submitted_decision(self.alice_practitioner_org_a)
        self.make_draft()
        twenty, response = count_queries(client, HOME)
        assert "20 waiting" in queue_item(response.content.decode(), "awaiting")
        assert one == twenty, (one, twenty)


class SupervisorHomeTests(World):
    def test_reviews_waiting_with_the_oldest_age_and_returned(self) -> None:
        with time_machine.travel(dt.datetime(2026, 11, 9, 9, 0, tzinfo=dt.UTC), tick=False):
            make_submitted_decision(self.alice_practitioner_org_a)
        with time_machine.travel(dt.datetime(2026, 11, 11, 9, 0, tzinfo=dt.UTC), tick=False):
            make_submitted_decision(self.amir_practitioner_org_a)
            returned = make_submitted_decision(self.alice_practitioner_org_a)
            review_services.review_return(
                by=self.sue_supervisor_org_a, decision=returned.decision, version=returned, comment="More detail"
            )
            make_submitted_decision(self.bob_practitioner_org_b)
        with time_machine.travel(dt.datetime(2026, 11, 12, 12, 0, tzinfo=dt.UTC), tick=False):
            html = self.client_for(self.sue_supervisor_org_a).get(HOME).content.decode()
        assert queue_keys(html) == ["reviews", "returned", "audit_log", "dashboard", "decisions"]
        reviews = queue_item(html, "reviews")
        assert f'href="{reverse("oversight:queue")}"' in reviews and "2 waiting" in reviews
        assert "The oldest has waited 3 days." in reviews
        assert "1 returned" in queue_item(html, "returned") and f"{LIST}?show=returned" in queue_item(html, "returned")
        assert f'href="{reverse("oversight:dashboard")}"' in queue_item(html, "dashboard")
        assert "read only" not in html

    def test_queries_do_not_grow_with_the_queue(self) -> None:
        client = self.client_for(self.sue_supervisor_org_a)
        make_submitted_decision(self.alice_practitioner_org_a)
        one, _ = count_queries(client, HOME)
        for _ in range(19):
            make_submitted_decision(self.amir_practitioner_org_a)
        twenty, response = count_queries(client, HOME)
        assert "20 waiting" in queue_item(response.content.decode(), "reviews")
        assert one == twenty, (one, twenty)


class AdminHomeTests(World):
    def export(self, status: str, *, minutes_ago: int = 0, user: object = None) -> BulkExport:
        now = timezone.now()
        return BulkExport.objects.create(
            organisation=self.org_a,
            requested_by=user or self.ada_admin_org_a,
            submitted_from=now.date(),
            submitted_to=now.date(),
            verify_url="http://testserver/exports/verify",
            status=status,
            created_at=now,
            updated_at=now - dt.timedelta(minutes=minutes_ago),
            expires_at=now + dt.timedelta(hours=24) if status == ExportStatus.READY else None,
            file_size=22 if status == ExportStatus.READY else None,
        )

    def test_exports_in_progress_settings_and_chain_status(self) -> None:
        self.export(ExportStatus.QUEUED)
        self.export(ExportStatus.RUNNING)
        self.export(ExportStatus.RUNNING, minutes_ago=60)  # stalled: not in progress
        self.export(ExportStatus.READY)
        ChainCheck.objects.create(checked_at=timezone.now() - dt.timedelta(hours=3), ok=True, events_checked=9)
        html = self.client_for(self.ada_admin_org_a).get(HOME).content.decode()
        keys = ["exports", "subject_access", "retention", "settings", "chain", "dashboard", "decisions"]
        assert queue_keys(html) == keys
        assert f'href="{reverse("exports:subject_access")}"' in queue_item(html, "subject_access")
        exports = queue_item(html, "exports")
        assert f'href="{reverse("exports:start")}"' in exports and "2 in progress" in exports
        assert f'href="{reverse("oversight:organisation")}"' in queue_item(html, "settings")
        chain = queue_item(html, "chain")
        assert "Passed" in chain and "Last checked 3\xa0hours ago" in chain and "read only" not in chain

    def test_ready_exports_and_a_failed_check(self) -> None:
        self.export(ExportStatus.READY)
        ChainCheck.objects.create(checked_at=timezone.now(), ok=False, events_checked=9, message="Chain org:1: bad")
        html = self.client_for(self.ada_admin_org_a).get(HOME).content.decode()
        assert "1 ready" in queue_item(html, "exports")
        assert "Failed" in queue_item(html, "chain") and "govuk-tag--red" in queue_item(html, "chain")

    def test_another_admins_exports_are_not_counted(self) -> None:
        self.export(ExportStatus.RUNNING, user=self.bea_admin_org_b)
        html = self.client_for(self.ada_admin_org_a).get(HOME).content.decode()
        assert "None in progress" in queue_item(html, "exports")
        assert "Not checked" in queue_item(html, "chain")

    def test_queries_do_not_grow_with_exports(self) -> None:
        client = self.client_for(self.ada_admin_org_a)
        self.export(ExportStatus.RUNNING)
        one, _ = count_queries(client, HOME)
        for _ in range(19):
            self.export(ExportStatus.RUNNING)
            make_submitted_decision(self.alice_practitioner_org_a)
        twenty, response = count_queries(client, HOME)
        assert "20 in progress" in queue_item(response.content.decode(), "exports")
        assert one == twenty, (one, twenty)


class AuditorHomeTests(World):
    def test_audit_log_and_read_only_chain_status_and_dashboard(self) -> None:
        html = self.client_for(self.aud_auditor_org_a).get(HOME).content.decode()
        assert queue_keys(html) == ["audit_log", "chain", "dashboard", "decisions"]
        assert f'href="{reverse("audit:log")}"' in queue_item(html, "audit_log")
        assert "Audit trail check (read only)" in queue_item(html, "chain")
        assert "Dashboard (read only)" in queue_item(html, "dashboard")

    def test_queries_do_not_grow_with_the_records(self) -> None:
        client = self.client_for(self.aud_auditor_org_a)
        make_submitted_decision(self.alice_practitioner_org_a)
        one, _ = count_queries(client, HOME)
        for _ in range(19):
            make_submitted_decision(self.alice_practitioner_org_a)
            ChainCheck.objects.create(checked_at=timezone.now(), ok=True, events_checked=9)
        twenty, _ = count_queries(client, HOME)
        assert one == twenty, (one, twenty)


class HomeRequestTests(World):
    def test_wrong_method_anonymous_and_no_organisation(self) -> None:
        assert self.client_for(self.sue_supervisor_org_a).post(HOME).status_code == 405
        assert self.client.get(HOME)["Location"].startswith(reverse("accounts:login"))
        html = self.client_for(self.nobody_without_org).get(HOME).content.decode()
        assert "not part of an organisation" in html and "data-queue" not in html

    def test_every_role_is_offered_the_verify_page(self) -> None:
        for user in self.every_role_org_a:
            html = self.client_for(user).get(HOME).content.decode()
            assert f'href="{reverse("exports:verify")}"' in html, user


class DecisionListFilterTests(World):
    def setUp(self) -> None:
        self.waiting = make_submitted_decision(self.alice_practitioner_org_a).decision.reference
        returned = make_submitted_decision(self.alice_practitioner_org_a)
        review_services.review_return(
            by=self.sue_supervisor_org_a, decision=returned.decision, version=returned, comment="More detail"
        )
        self.returned = returned.decision.reference
        self.draft = decision_services.decision_start(by=self.alice_practitioner_org_a).decision.reference

    def test_each_filter_shows_its_kind_only(self) -> None:
        client = self.client_for(self.alice_practitioner_org_a)
        expected = {
            "returned": {self.returned},
            "drafts": {self.draft},
            "awaiting": {self.waiting},
            "signed_off": set(),
            "": {self.returned, self.draft, self.waiting},
        }
        for show, references in expected.items():
            html = client.get(f"{LIST}?show={show}").content.decode()
            shown = {r for r in (self.returned, self.draft, self.waiting) if r in html}
            assert shown == references, show
        html = client.get(f"{LIST}?show=returned").content.decode()
        assert 'aria-current="page">Returned</a>' in html and "Your decisions: returned" in html

    def test_an_unknown_filter_shows_everything(self) -> None:
        html = self.client_for(self.alice_practitioner_org_a).get(f"{LIST}?show=<script>").content.decode()
        assert self.returned in html and self.waiting in html and "<script>" not in html.split("<main", 1)[1]

    def test_supervisors_filter_the_organisation_and_see_no_drafts(self) -> None:
        client = self.client_for(self.sue_supervisor_org_a)
        html = client.get(f"{LIST}?show=returned").content.decode()
        assert self.returned in html and self.waiting not in html
        assert "?show=drafts" not in html and self.draft not in client.get(f"{LIST}?show=drafts").content.decode()

    def test_pages_keep_the_filter(self) -> None:
        for _ in range(50):
            decision_services.decision_start(by=self.alice_practitioner_org_a)
        html = self.client_for(self.alice_practitioner_org_a).get(f"{LIST}?show=drafts").content.decode()
        assert "?show=drafts&amp;after=" in html


class NavigationTests(World):
    def test_every_roles_pages_are_in_the_header(self) -> None:
        expected = {
            self.alice_practitioner_org_a: ["Home", "Your decisions"],
            self.sue_supervisor_org_a: ["Home", "Decisions", "To review", "Dashboard", "Audit log"],
            self.ada_admin_org_a: [
                "Home",
                "Decisions",
                "Dashboard",
                "Audit trail check",
                "Exports",
                "Retention",
                "Settings",
            ],
            self.aud_auditor_org_a: ["Home", "Decisions", "Dashboard", "Audit log", "Audit trail check"],
            self.nobody_without_org: ["Home"],
        }
        for user, labels in expected.items():
            html = nav(self.client_for(user).get(HOME).content.decode())
            shown = re.findall(r'class="govuk-service-navigation__link"[^>]*>(?:<strong[^>]*>)?([^<]+)<', html)
            assert shown == labels, (user, shown)

    def test_the_section_is_marked_on_its_inner_pages(self) -> None:
        reference = make_submitted_decision(self.alice_practitioner_org_a).decision.reference
        client = self.client_for(self.ada_admin_org_a)
        html = nav(client.get(reverse("decisions:detail", args=[reference])).content.decode())
        assert f'href="{LIST}" aria-current="true"' in html
        html = nav(client.get(reverse("audit:chain")).content.decode())
        assert f'href="{reverse("audit:chain")}" aria-current="page"' in html
        assert html.count("govuk-service-navigation__item--active") == 1


class FaviconTests(World):
    def test_every_page_names_our_own_icon(self) -> None:
        from django.contrib.staticfiles import finders

        for client in (self.client, self.client_for(self.alice_practitioner_org_a)):
            html = client.get(reverse("accounts:login") if client is self.client else HOME).content.decode()
            for name in ("favicon.ico", "favicon.svg", "apple-touch-icon.png"):
                assert f'href="/static/images/{name}"' in html, name
                found = finders.find(f"images/{name}")
                # Ours, not GOV.UK Frontend's crown (which lives under govuk/assets).
                assert found and "govuk-frontend" not in str(found), name


class VersionInFooterTests(World):
    def test_every_page_says_which_version_of_the_service_it_is(self) -> None:
        from sharing_app.version import VERSION

        signed_out = self.client.get(reverse("accounts:login"))
        signed_in = self.client_for(self.alice_practitioner_org_a).get(reverse("home"))
        for response in (signed_out, signed_in):
            assert response.status_code == 200
            assert f"Version {VERSION}" in response.content.decode()
