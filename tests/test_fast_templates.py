"""The faster `date` filter and `url_with` write exactly what Django's `date` and `{% url %}` do."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template
from django.template.defaultfilters import date as django_date
from django.test import SimpleTestCase, override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from sharing_app import fast_templates as fast_dates


class FastDateTests(SimpleTestCase):
    def moments(self) -> list[dt.datetime]:
        # Every 7 hours 13 minutes through a year: every month, both sides of both clock changes, all hours.
        start = dt.datetime(2025, 12, 29, 0, 0, 7, tzinfo=dt.UTC)
        return [start + dt.timedelta(minutes=433 * n) for n in range(1300)]

    def test_the_same_text_as_djangos_filter(self) -> None:
        formats = [*fast_dates.WITH_TIME, *fast_dates.DATE_ONLY]
        for moment in self.moments():
            local = timezone.localtime(moment)
            for fmt in formats:
                assert fast_dates.date(local, fmt) == django_date(local, fmt), (moment, fmt)
            for fmt in fast_dates.DATE_ONLY:
                assert fast_dates.date(local.date(), fmt) == django_date(local.date(), fmt), (moment, fmt)

    def test_templates_use_it_and_show_uk_time(self) -> None:
        template = Template('{{ when|date:"j F Y, H:i" }} / {{ when|date:"D d/m/Y" }} / {{ day|date:"F Y" }}')
        rendered = template.render(
            Context({"when": dt.datetime(2026, 7, 1, 23, 30, tzinfo=dt.UTC), "day": dt.date(2026, 7, 1)})
        )
        # 00:30 on 2 July in London (BST); other formats go to Django's filter.
        assert rendered == "2 July 2026, 00:30 / Thu 02/07/2026 / July 2026"
        assert template.engine.template_builtins[-1].filters["date"] is fast_dates.date

    def test_other_languages_go_to_djangos_filter(self) -> None:
        with override_settings(USE_I18N=True), translation.override("fr"):
            assert fast_dates.date(dt.date(2026, 2, 1), "j F Y") == django_date(dt.date(2026, 2, 1), "j F Y")
            assert "février" in fast_dates.date(dt.date(2026, 2, 1), "j F Y")

    def test_empty_and_odd_values(self) -> None:
        assert fast_dates.date(None, "j F Y") == ""
        assert fast_dates.date("", "j F Y") == ""
        assert fast_dates.date(dt.datetime(2026, 3, 4, 5, 6), None) == django_date(dt.datetime(2026, 3, 4, 5, 6), None)


class UrlWithTests(SimpleTestCase):
    def test_the_same_url_as_reverse(self) -> None:
        for value in ["BA-2026-00001", "OA-2025-12345", "a b", "é", "x%y", "?q=1", "#frag", "a&b", "a'b", 42, "-"]:
            assert fast_dates.url_with(value, "decisions:detail") == reverse("decisions:detail", args=[value]), value
            assert fast_dates.url_with(value, "decisions:check") == reverse("decisions:check", args=[value]), value

    def test_what_reverse_refuses_it_refuses(self) -> None:
        for value in ["", "a/b"]:
            with self.assertRaises(NoReverseMatch):
                fast_dates.url_with(value, "decisions:detail")

    def test_in_a_template_as_the_url_tag_writes_it(self) -> None:
        context = Context({"ref": "BA-2026-00001&x"})
        fast = Template("""<a href="{{ ref|url_with:'decisions:detail' }}">""").render(context)
        tag = Template("""<a href="{% url 'decisions:detail' ref %}">""").render(context)
        assert fast == tag == '<a href="/decisions/BA-2026-00001&amp;x">'
