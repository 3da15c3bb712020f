"""The audit log page, its filters and keyset pages, the CSV export, and the chain status page."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any
from unittest import mock

import time_machine
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from audit import actions
from audit import services as audit
from audit.models import AuditEvent, ChainCheck, ChainCheckRun
from audit.selectors import AuditFilters, audit_events_page

from .audit_helpers import triggers_disabled, unaudited_account_changes
from .base import World, form_errors
from .factories import make_submitted_decision
from .oversight_helpers import count_queries, no_share

LOG_URL = reverse("audit:log")


def at_time(moment: dt.datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


EXPORT_URL = reverse("audit:export")
CHAIN_URL = reverse("audit:chain")


def event_ids(response: object) -> list[int]:
    return [e.pk for e in response.context["page"].events]  # type: ignore[attr-defined]


def read_csv(response: StreamingHttpResponse) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")  # type: ignore[arg-type]
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


class AuditLogPageTests(World):
    def setUp(self) -> None:
        self.share = make_submitted_decision(self.alice_practitioner_org_a).decision
        self.other_org = make_submitted_decision(self.bob_practitioner_org_b).decision

    def org_a_events(self) -> list[int]:
        return list(
            AuditEvent.objects.filter(organisation=self.org_a)
            .exclude(action=actions.AUDIT_LOG_VIEW)
            .order_by("-id")
            .values_list("id", flat=True)
        )

    def test_supervisor_and_auditor_see_their_organisation_newest_first(self) -> None:
        expected = self.org_a_events()
        for user in [self.sue_supervisor_org_a, self.aud_auditor_org_a]:
            response = self.client_for(user).get(LOG_URL)
            assert response.status_code == 200
            shown = [pk for pk in event_ids(response) if pk in expected]
            assert shown == expected[: len(shown)] and len(shown) == len(expected), user
            html = response.content.decode()
            assert self.other_org.reference not in html and "Submitted a decision" in html

    def test_events_link_to_their_record(self) -> None:
        from decisions import services as decision_services

        draft = decision_services.decision_start(by=self.alice_practitioner_org_a)
        html = self.client_for(self.sue_supervisor_org_a).get(LOG_URL).content.decode()
        assert f'href="{reverse("decisions:detail", args=[self.share.reference])}"' in html
        # A draft's page is its practitioner's alone, so the log names it without a link.
        assert f"{draft.decision.reference} <span" in html
        assert f'href="{reverse("decisions:detail", args=[draft.decision.reference])}"' not in html

    def test_wrong_roles_and_methods(self) -> None:
        for user in [self.alice_practitioner_org_a, self.ada_admin_org_a, self.nobody_without_org]:
            assert self.client_for(user).get(LOG_URL).status_code == 403, user
            assert self.client_for(user).get(EXPORT_URL).status_code == 403, user
        supervisor = self.client_for(self.sue_supervisor_org_a)
        assert supervisor.post(LOG_URL).status_code == 405
        assert supervisor.post(EXPORT_URL).status_code == 405

    def test_every_page_view_is_audited_with_its_filters_and_cursor(self) -> None:
        client = self.client_for(self.aud_auditor_org_a)
        client.get(LOG_URL + "?action=decision_submit")
        first = AuditEvent.objects.filter(action=actions.AUDIT_LOG_VIEW).latest("id")
        assert first.actor_id == self.aud_auditor_org_a.pk and first.organisation_id == self.org_a.pk
        assert first.details == {
            "filters": ["action"],
            "filter_choices": {"action": "decision_submit"},
            "after": None,
            "before": None,
            "shown": 1,
        }
        client.get(LOG_URL + f"?after={first.pk}")
        second = AuditEvent.objects.filter(action=actions.AUDIT_LOG_VIEW).latest("id")
        assert second.pk != first.pk and second.details["after"] == first.pk

    def test_a_bad_cursor_is_404(self) -> None:
        client = self.client_for(self.sue_supervisor_org_a)
        for query in ("?after=abc", "?before=-1", "?after=1e3"):
            assert client.get(LOG_URL + query).status_code == 404, query


class AuditLogFilterTests(World):
    def setUp(self) -> None:
        self.client_sue = self.client_for(self.sue_supervisor_org_a)

    def test_filter_by_actor_action_and_reference(self) -> None:
        mine = make_submitted_decision(self.alice_practitioner_org_a).decision
        amirs = make_submitted_decision(self.amir_practitioner_org_a).decision
        events = AuditEvent.objects.filter(organisation=self.org_a)

        response = self.client_sue.get(LOG_URL, {"actor": "amir_practitioner"})
        assert set(event_ids(response)) == set(
            events.filter(actor=self.amir_practitioner_org_a).values_list("id", flat=True)
        )

        response = self.client_sue.get(LOG_URL, {"action": actions.DECISION_SUBMIT})
        assert set(event_ids(response)) == set(
            events.filter(action=actions.DECISION_SUBMIT).values_list("id", flat=True)
        )
        assert len(event_ids(response)) == 2

        response = self.client_sue.get(LOG_URL, {"reference": mine.reference.lower() + " "})
        assert event_ids(response) and all(e.target_ref == mine.reference for e in response.context["page"].events)
        assert amirs.reference not in response.content.decode()

    def test_filter_by_outcome(self) -> None:
        shared = make_submitted_decision(self.alice_practitioner_org_a).decision
        kept = no_share(self.alice_practitioner_org_a).decision
        response = self.client_sue.get(LOG_URL, {"outcome": "no_share"})
        refs = {e.target_ref for e in response.context["page"].events}
        assert refs == {kept.reference} and shared.reference not in refs

    def test_filter_by_date_in_london_time(self) -> None:
        # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
        for moment, name in [
            (dt.datetime(2026, 6, 30, 22, 30, tzinfo=dt.UTC), "june"),
            (dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC), "july_first"),
            (dt.datetime(2026, 7, 2, 22, 59, tzinfo=dt.UTC), "july_second"),
            (dt.datetime(2026, 7, 2, 23, 1, tzinfo=dt.UTC), "july_third"),
        ]:
            with time_machine.travel(moment, tick=False):
                audit.record(action="test_" + name, organisation=self.org_a)
        data = {
            "date_from_0": "1",
            "date_from_1": "7",
            "date_from_2": "2026",
            "date_to_0": "2",
            "date_to_1": "7",
            "date_to_2": "2026",
        }
        response = self.client_sue.get(LOG_URL, data)
        shown = [e.action for e in response.context["page"].events]
        assert shown == ["test_july_second", "test_july_first"]

    def test_invalid_filters_show_errors_and_list_nothing(self) -> None:
        before = AuditEvent.objects.count()
        cases = [
            ({"date_from_0": "31", "date_from_1": "2", "date_from_2": "2026"}, "Enter a real date"),
            ({"date_from_0": "x", "date_from_1": "2", "date_from_2": "2026"}, "Enter the day as a number"),
            ({"date_from_0": "3", "date_from_2": "2026"}, "Enter the day, month and year"),
            (
                {
                    "date_from_0": "3",
                    "date_from_1": "7",
                    "date_from_2": "2026",
                    "date_to_0": "1",
                    "date_to_1": "7",
                    "date_to_2": "2026",
                },
                "The end date must be the same as or after the start date",
            ),
            ({"action": "delete_everything"}, "Select an action from the list"),
            ({"outcome": "maybe"}, "Select an outcome from the list"),
            ({"reference": "X" * 41}, "Decision reference must be 40 characters or fewer"),
        ]
        for data, message in cases:
            response = self.client_sue.get(LOG_URL, data)
            assert response.status_code == 200
            assert message in form_errors(response), (data, form_errors(response)[:500])
            assert response.context["page"] is None
        # Nothing was shown, so no read was recorded.
        assert AuditEvent.objects.count() == before

    def test_filters_survive_paging(self) -> None:
        for n in range(55):
            audit.record(action=actions.DECISION_VIEW, organisation=self.org_a, target_ref=f"OA-2026-{n:05d}")
        response = self.client_sue.get(LOG_URL, {"action": actions.DECISION_VIEW})
        html = response.content.decode()
        older = response.context["page"].older_cursor
        assert f"?action=decision_view&amp;after={older}" in html


class KeysetPaginationTests(World):
    @classmethod
    def setUpTestData(cls) -> None:
        # Only this test's events in the log: the world is made unrecorded (issue 25 item 2 records it otherwise).
        with unaudited_account_changes():
            super().setUpTestData()

    def setUp(self) -> None:
        self.ids = [audit.record(action=f"test_{n}", organisation=self.org_a).pk for n in range(120)]
        self.newest_first = list(reversed(self.ids))

    def test_pages_walk_back_and_forth_without_gaps(self) -> None:
        filters = AuditFilters(action="")
        user = self.sue_supervisor_org_a
        first = audit_events_page(user, filters)
        assert [e.pk for e in first.events] == self.newest_first[:50]
        assert first.has_older and not first.has_newer
        second = audit_events_page(user, filters, after_id=first.older_cursor)
        assert [e.pk for e in second.events] == self.newest_first[50:100]
        third = audit_events_page(user, filters, after_id=second.older_cursor)
        assert [e.pk for e in third.events] == self.newest_first[100:]
        assert not third.has_older and third.has_newer
        back = audit_events_page(user, filters, before_id=third.newer_cursor)
        assert [e.pk for e in back.events] == self.newest_first[50:100] and back.has_newer
        back_again = audit_events_page(user, filters, before_id=back.newer_cursor)
        assert [e.pk for e in back_again.events] == self.newest_first[:50] and not back_again.has_newer

    def test_one_query_for_any_page(self) -> None:
        user = self.sue_supervisor_org_a
        # The membership is read once per request by middleware and cached on the user.
        _ = user.membership
        with self.assertNumQueries(1):
            audit_events_page(user, AuditFilters())
        with self.assertNumQueries(1):
            audit_events_page(user, AuditFilters(), after_id=self.ids[5])
        with self.assertNumQueries(1):
            audit_events_page(user, AuditFilters(outcome="share_all", actor="sue_supervisor"), after_id=self.ids[5])

    def test_the_page_shows_older_and_newer_links(self) -> None:
        client = self.client_for(self.sue_supervisor_org_a)
        first = client.get(LOG_URL)
        assert "Older" in first.content.decode() and "Newer<" not in first.content.decode()
        second = client.get(LOG_URL + f"?after={first.context['page'].older_cursor}")
        html = second.content.decode()
        assert "Newer" in html and "Back to the newest events" in html


class AuditLogQueryCountTests(World):
    def measure(self) -> tuple[int, int]:
        client = self.client_for(self.sue_supervisor_org_a)
        first, _ = count_queries(client, LOG_URL)
        ids = list(AuditEvent.objects.filter(organisation=self.org_a).order_by("-id").values_list("id", flat=True))
        deep, response = count_queries(client, LOG_URL + f"?after={ids[len(ids) // 2]}")
        assert response.context["page"].events
        return first, deep

    def test_first_and_deep_pages_cost_the_same_for_3_and_30_decisions(self) -> None:
        for _ in range(3):
            make_submitted_decision(self.alice_practitioner_org_a)
        few = self.measure()
        for _ in range(27):
            make_submitted_decision(self.amir_practitioner_org_a)
        assert AuditEvent.objects.filter(organisation=self.org_a).count() > 300
        many = self.measure()
        assert few == many, (few, many)
        assert few[0] == few[1]


class ExportTests(World):
    def setUp(self) -> None:
        self.decision = make_submitted_decision(self.alice_practitioner_org_a).decision
        make_submitted_decision(self.bob_practitioner_org_b)
        self.client_sue = self.client_for(self.sue_supervisor_org_a)

    def test_export_streams_the_filtered_log_as_csv(self) -> None:
        response = self.client_sue.get(EXPORT_URL, {"action": actions.DECISION_SUBMIT})
        assert response.status_code == 200 and isinstance(response, StreamingHttpResponse)
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].startswith('attachment; filename="audit-log-org-a-')
        rows = read_csv(response)
        assert rows[0][:4] == ["Event", "Time (UK)", "Username", "Action"]
        [row] = rows[1:]
        event = AuditEvent.objects.get(organisation=self.org_a, action=actions.DECISION_SUBMIT)
        assert row[0] == str(event.pk) and row[2] == "alice_practitioner" and row[7] == self.decision.reference
        assert row[12] == event.hash and row[13] == event.prev_hash

    def test_export_of_everything_is_the_whole_organisation_log_in_batches(self) -> None:
        from audit import selectors

        expected = AuditEvent.objects.filter(organisation=self.org_a).count()
        rows = list(selectors.audit_events_for_export(self.sue_supervisor_org_a, AuditFilters(), batch=7))
        assert len(rows) == expected and [r.pk for r in rows] == sorted((r.pk for r in rows), reverse=True)
        response = self.client_sue.get(EXPORT_URL)
        # One more: the export's own event, written before the rows are read.
        assert len(read_csv(response)) - 1 == expected + 1

    def test_export_is_audited_before_streaming(self) -> None:
        response = self.client_for(self.aud_auditor_org_a).get(EXPORT_URL, {"reference": self.decision.reference})
        # Not a row read yet, and the export is already on record.
        event = AuditEvent.objects.get(action=actions.AUDIT_LOG_EXPORT)
        assert event.actor_id == self.aud_auditor_org_a.pk
        assert event.details == {"filters": ["reference"], "filter_choices": {}}
        assert len(read_csv(response)) > 1

    def test_formulas_are_defused(self) -> None:
        audit.record(action=actions.LOGIN_FAILED, organisation=self.org_a, actor_label='=HYPERLINK("http://x")')
        rows = read_csv(self.client_sue.get(EXPORT_URL, {"action": actions.LOGIN_FAILED}))
        assert rows[1][2] == '\'=HYPERLINK("http://x")'

    def test_invalid_filters_go_back_to_the_log(self) -> None:
        response = self.client_sue.get(EXPORT_URL, {"outcome": "maybe"})
        assert response.status_code == 302 and response["Location"] == LOG_URL + "?outcome=maybe"
        assert not AuditEvent.objects.filter(action=actions.AUDIT_LOG_EXPORT).exists()


class ChainStatusTests(World):
    def run_worker(self) -> None:
        """What `manage.py db_worker` does with the queued check."""
        from audit.tasks import run_chain_check

        for run in ChainCheckRun.objects.filter(status=ChainCheckRun.Status.QUEUED):
            run_chain_check(run.pk)

    def test_admin_sees_that_no_check_has_run_and_runs_one_on_the_worker(self) -> None:
        client = self.client_for(self.ada_admin_org_a)
        assert "has not been checked yet" in client.get(CHAIN_URL).content.decode()
        audit.record(action="test", organisation=self.org_a)
        with self.captureOnCommitCallbacks(execute=True) as queued:
            response = client.post(CHAIN_URL, follow=True)
        assert response.redirect_chain == [(CHAIN_URL, 302)]
        html = response.content.decode()
        # Not checked inside the request: queued for the worker, and the page says so.
        assert not ChainCheck.objects.exists() and len(queued) == 1
        assert "A check is waiting to start" in html and "Check the audit trail now" not in html
        assert "chain-check-progress.js" in html
        self.run_worker()
        check = ChainCheck.objects.get()
        assert check.ok and check.events_checked >= 1
        run = ChainCheckRun.objects.get()
        assert run.status == ChainCheckRun.Status.DONE and run.result == check
        html = client.get(CHAIN_URL).content.decode()
        assert "Passed</strong> No problems found" in html and " ago)" not in html
        assert "Check the audit trail now" in html
        event = AuditEvent.objects.get(action=actions.CHAIN_VERIFY)
        assert event.actor == self.ada_admin_org_a and event.details["ok"] is True

    def test_progress_is_shown_while_the_worker_checks(self) -> None:
        client = self.client_for(self.ada_admin_org_a)
        client.post(CHAIN_URL)
        ChainCheckRun.objects.update(status=ChainCheckRun.Status.RUNNING, events_done=2500, events_total=10000)
        html = client.get(CHAIN_URL).content.decode()
        assert "<strong>2500 of 10000</strong> events checked" in html and 'value="2500"' in html

    def test_the_worker_saves_progress_as_it_goes(self) -> None:
        from audit import tasks

        for i in range(7):
            audit.record(action=f"test_{i}", organisation=self.org_a)
        self.client_for(self.ada_admin_org_a).post(CHAIN_URL)
        seen: list[tuple[int, int]] = []
        original = tasks.verify_chains

        def spy(**kwargs: Any) -> Any:
            def progress(done: int, total: int) -> None:
                seen.append((done, total))
                kwargs["progress"](done, total)

            return original(**{**kwargs, "progress": progress})

        with (
            mock.patch.object(tasks, "verify_chains", spy),
            mock.patch.object(tasks, "PROGRESS_EVERY", dt.timedelta(0)),
        ):
            self.run_worker()
        assert seen and seen[-1][0] == seen[-1][1] >= 7

    def test_a_check_the_worker_never_started_can_be_asked_for_again(self) -> None:
        client = self.client_for(self.ada_admin_org_a)
        client.post(CHAIN_URL)
        ChainCheckRun.objects.update(updated_at=timezone.now() - dt.timedelta(minutes=10))
        html = client.get(CHAIN_URL).content.decode()
        assert "The background worker may not be running" in html and "Check the audit trail now" in html
        client.post(CHAIN_URL)
        assert list(ChainCheckRun.objects.order_by("pk").values_list("status", flat=True)) == ["failed", "queued"]

    def test_a_broken_chain_is_shown(self) -> None:
        event = audit.record(action="test", organisation=self.org_a)
        with triggers_disabled():
            AuditEvent.objects.filter(pk=event.pk).update(action="edited")
        client = self.client_for(self.ada_admin_org_a)
        client.post(CHAIN_URL)
        self.run_worker()
        html = client.get(CHAIN_URL).content.decode()
        assert "Failed</strong> A problem was found" in html and "was changed after it was written" in html
        assert "may have been tampered with" in html

    def test_another_organisations_failure_is_shown_without_its_details(self) -> None:
        ChainCheck.objects.create(
            checked_at=timezone.now(),
            ok=False,
            events_checked=3,
            message=f"does not match the signed checkpoint of yesterday: chain org:{self.org_b.pk}",
            chain_key=f"org:{self.org_b.pk}",
        )
        html = self.client_for(self.ada_admin_org_a).get(CHAIN_URL).content.decode()
        assert "part of the audit trail. The service team has the details" in html
        assert "signed checkpoint of yesterday" not in html
        html = self.client_for(self.bea_admin_org_b).get(CHAIN_URL).content.decode()
        assert "does not match the signed checkpoint of yesterday" in html

    def test_shows_the_latest_check_and_when(self) -> None:
        with time_machine.travel(dt.datetime(2026, 8, 1, 8, 0, tzinfo=dt.UTC), tick=False):
            ChainCheck.objects.create(checked_at=dt.datetime.now(dt.UTC), ok=False, events_checked=5, message="old")
        with time_machine.travel(dt.datetime(2026, 8, 2, 8, 0, tzinfo=dt.UTC), tick=False):
            ChainCheck.objects.create(checked_at=dt.datetime.now(dt.UTC), ok=True, events_checked=9, message="OK: 9")
        with at_time(dt.datetime(2026, 8, 6, 6, 0, tzinfo=dt.UTC)):
            html = self.client_for(self.ada_admin_org_a).get(CHAIN_URL).content.decode()
        assert "2 August 2026 at 09:00" in html and "OK: 9" in html and "No problems found" in html
        assert "(3\xa0days, 22\xa0hours ago)" in html

    def test_only_admins_run_it(self) -> None:
        for user in [self.alice_practitioner_org_a, self.sue_supervisor_org_a, self.aud_auditor_org_a]:
            client = self.client_for(user)
            assert client.post(CHAIN_URL).status_code == 403, user
        for user in [self.alice_practitioner_org_a, self.sue_supervisor_org_a]:
            assert self.client_for(user).get(CHAIN_URL).status_code == 403, user
        assert not ChainCheck.objects.exists() and not ChainCheckRun.objects.exists()

    def test_auditors_read_the_status_without_the_button(self) -> None:
        ChainCheck.objects.create(checked_at=dt.datetime.now(dt.UTC), ok=True, events_checked=9, message="OK: 9")
        response = self.client_for(self.aud_auditor_org_a).get(CHAIN_URL)
        html = response.content.decode()
        assert response.status_code == 200 and "No problems found" in html
        assert "Check the audit trail now" not in html and "An admin can also run it" in html
        assert "Check the audit trail now" in self.client_for(self.ada_admin_org_a).get(CHAIN_URL).content.decode()

    def test_wrong_method(self) -> None:
        assert self.client_for(self.ada_admin_org_a).put(CHAIN_URL).status_code == 405

    def test_double_click_is_harmless(self) -> None:
        client = self.client_for(self.ada_admin_org_a)
        client.post(CHAIN_URL)
        client.post(CHAIN_URL)
        assert ChainCheckRun.objects.count() == 1
        # Each organisation's admin asks for its own; another organisation's click is not blocked by it.
        self.client_for(self.bea_admin_org_b).post(CHAIN_URL)
        assert ChainCheckRun.objects.count() == 2
