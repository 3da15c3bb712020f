"""Faster versions of what tables repeat on every row, installed as template builtins (settings.TEMPLATES).

`date`: over Django's own filter, for the formats this service shows.

Django's filter parses the format string and looks each month name up through the translation machinery on
every call: about 0.1 ms a date, which is most of a page with a table of fifty rows (the decision list, the
review queue, the audit log). The formats the templates use are built directly here, in English as the service
is (en-GB); any other format, language or value goes to Django's own filter. tests/test_fast_dates.py checks
they agree, date by date, through both clock changes of a year.

`url_with`: `{{ reference|url_with:"decisions:detail" }}` is `{% url "decisions:detail" reference %}` for a URL with
one argument. Django's `reverse` walks the resolver, quotes and checks the whole path each time (about 80 us, most
of a fifty-row table's links); this reverses once per process with a stand-in and puts each value in its place,
quoted as `reverse` quotes it. Values `reverse` might refuse (empty, or with a slash) still go through `reverse`.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from django.template import Library
from django.template.defaultfilters import date as django_date
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.http import RFC3986_SUBDELIMS

register = Library()

MONTHS = ["", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]  # fmt: skip
MONTHS_3 = ["", *(m[:3] for m in MONTHS[1:])]


def _d(v: dt.date) -> str:
    return f"{v.day} {MONTHS[v.month]} {v.year}"


def _d3(v: dt.date) -> str:
    return f"{v.day} {MONTHS_3[v.month]} {v.year}"


def _hm(v: dt.datetime) -> str:
    return f"{v.hour:02d}:{v.minute:02d}"


def _hms(v: dt.datetime) -> str:
    return f"{v.hour:02d}:{v.minute:02d}:{v.second:02d}"


# Formats with a time need a datetime; date-only formats take a date or a datetime.
WITH_TIME = {
    "j F Y, H:i": lambda v: f"{_d(v)}, {_hm(v)}",
    "j M Y, H:i": lambda v: f"{_d3(v)}, {_hm(v)}",
    "j M Y, H:i:s": lambda v: f"{_d3(v)}, {_hms(v)}",
    "j F Y \\a\\t H:i": lambda v: f"{_d(v)} at {_hm(v)}",
    "H:i": _hm,
    "H:i:s": _hms,
}
DATE_ONLY = {
    "j F Y": _d,
    "j M Y": _d3,
    "F Y": lambda v: f"{MONTHS[v.month]} {v.year}",
}


@register.filter(expects_localtime=True, is_safe=False)
def date(value: Any, arg: str | None = None) -> str:
    """Django's `date` filter, faster for the formats above (the template engine has already made the value local)."""
    fast = None
    if isinstance(value, dt.datetime):
        fast = WITH_TIME.get(arg or "") or DATE_ONLY.get(arg or "")
    elif isinstance(value, dt.date):
        fast = DATE_ONLY.get(arg or "")
    if fast is None or not (translation.get_language() or "").startswith("en"):
        return django_date(value, arg)
    return fast(value)


_STAND_IN = "zzurlwithstandinzz"


@lru_cache(maxsize=64)
def _pattern(viewname: str, prefix: str, urlconf: str | None) -> str:
    return reverse(viewname, args=[_STAND_IN], urlconf=urlconf)


@register.filter
def url_with(value: Any, viewname: str) -> str:
    """The URL of `viewname` with `value` as its one argument, as `{% url viewname value %}` writes it."""
    text = str(value)
    if not text or "/" in text:
        return reverse(viewname, args=[value])
    return _pattern(viewname, get_script_prefix(), get_urlconf()).replace(
        _STAND_IN, quote(text, safe=RFC3986_SUBDELIMS + "/~:@")
    )
