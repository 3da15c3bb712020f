"""Search and filters on the decision list: the GET form, the scoped query, and keyset paging.

Every filter narrows `selectors.decisions_for_user`, so no filter can reach past what the user may see.
Pages are found by a cursor (the last row's `updated_at` and id), never by OFFSET, so page 500 costs what
page 1 does.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict

from accounts.models import Team
from sharing_app.limits import tell_limits

from .choices import ConsentStatus, DecisionStatus, Outcome, ReviewStatus
from .forms import gov_date
from .guidance import EDITIONS
from .models import Decision, DecisionPerson
from .people import normalise_name
from .permissions import membership_of

LONDON = ZoneInfo("Europe/London")
PAGE_SIZE = 50
# Counting every match of a broad filter over a million rows costs more than the page: count up to here.
COUNT_LIMIT = 1000
CURSOR = re.compile(r"^(\d{1,19})\.(\d{1,19})$")
REVIEW_CHOICES = [(s.value, s.label) for s in ReviewStatus if s.value]
FILTER_FIELDS = (
    "reference", "case_reference", "name", "date_of_birth", "submitted_from", "submitted_to",
    "outcome", "consent", "review", "team", "edition",
)  # fmt: skip


def _choice(label: str, choices: list[tuple[str, str]], what: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": f"Select {what} from the list"},  # noqa: S608  # nosec B608 - words, not SQL
    )


def _text(label: str, what: str, max_length: int, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=help_text,
        error_messages={"max_length": f"{what} must be {max_length} characters or fewer"},
    )


class DecisionFilterForm(forms.Form):
    """The filters, read from the query string. Every field is optional; a bad value is an error, never a 500."""

    reference = _text("Decision reference", "Decision reference", 40, "For example, NSP-2026-00042")
    case_reference = _text("Case reference", "Case reference", 60)
    name = _text("Name of a person on the record", "Name", 200, "Part of a name is enough")
    date_of_birth = gov_date("Their date of birth", "their date of birth", required=False)
    submitted_from = gov_date("From", "the first date", required=False, help_text="For example, 1 11 2026")
    submitted_to = gov_date("To", "the last date", required=False, help_text="For example, 30 11 2026")
    outcome = _choice("What was decided", list(Outcome.choices), "a decision")
    consent = _choice("Consent", list(ConsentStatus.choices), "a consent status")
    review = _choice("Review", REVIEW_CHOICES, "a review status")
    team = forms.TypedChoiceField(
        label="Team",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Select a team from the list"},
    )
    edition = forms.ChoiceField(
        label="Edition of the guidance",
        required=False,
        choices=[("", "Any edition"), *((code, f"{code} edition") for code in EDITIONS)],
        error_messages={"invalid_choice": "Select an edition from the list"},
    )

    def __init__(self, *args: Any, teams: list[Team] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tell_limits(self)
        team = self.fields["team"]
        assert isinstance(team, forms.TypedChoiceField)
        team.choices = [("", "All teams"), *((str(t.pk), t.name) for t in teams or [])]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.layout = Layout(
            Field.text("reference"),
            Field.text("case_reference"),
            Fieldset(
                Field.text("name"),
                Field("date_of_birth"),
                legend="Person",
                legend_size=Size.SMALL,
            ),
            Fieldset(
                Field("submitted_from"),
                Field("submitted_to"),
                legend="Date submitted",
                legend_size=Size.SMALL,
            ),
            Field.checkboxes("outcome", small=True),
            Field.checkboxes("consent", small=True),
            Field.checkboxes("review", small=True),
            Field.select("team"),
            Field.select("edition"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("submitted_from"), cleaned.get("submitted_to")
        if start and end and start > end:
            self.add_error("submitted_to", "The last date must be the same as or after the first date")
        return cleaned


@dataclass(frozen=True)
class Filters:
    """What to search for, cleaned. Empty means "any"."""

    reference: str = ""
    case_reference: str = ""
    name: str = ""
    date_of_birth: dt.date | None = None
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None
    outcome: tuple[str, ...] = ()
    consent: tuple[str, ...] = ()
    review: tuple[str, ...] = ()
    team: int | None = None
    edition: str = ""

    @classmethod
    def from_form(cls, cleaned: dict[str, Any]) -> Filters:
        return cls(
            reference=(cleaned.get("reference") or "").strip().upper(),
            case_reference=(cleaned.get("case_reference") or "").strip(),
            name=normalise_name(cleaned.get("name") or ""),
            date_of_birth=cleaned.get("date_of_birth"),
            submitted_from=cleaned.get("submitted_from"),
            submitted_to=cleaned.get("submitted_to"),
            outcome=tuple(cleaned.get("outcome") or ()),
            consent=tuple(cleaned.get("consent") or ()),
            review=tuple(cleaned.get("review") or ()),
            team=cleaned.get("team"),
            edition=cleaned.get("edition") or "",
        )

    @property
    def any(self) -> bool:
        return self != Filters()


def _london_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=LONDON)


def apply_filters(qs: QuerySet[Decision], filters: Filters, organisation_id: int) -> QuerySet[Decision]:
    """`qs` (already scoped to what the user may see) narrowed by every filter given."""
    if filters.reference:
        # A whole reference is one index lookup; part of one matches its start.
        qs = qs.filter(reference__startswith=filters.reference)
    if filters.case_reference:
        qs = qs.filter(case_reference__iexact=filters.case_reference)
    if filters.name or filters.date_of_birth:
        people = DecisionPerson.objects.filter(decision_id=OuterRef("pk"), person__organisation_id=organisation_id)
        if filters.name:
            # search_name is already case-folded without accents; the needle is normalised the same way.
            people = people.filter(person__search_name__contains=filters.name)
        if filters.date_of_birth:
            people = people.filter(person__date_of_birth=filters.date_of_birth)
        qs = qs.filter(Exists(people))
    if filters.submitted_from or filters.submitted_to:
        qs = qs.filter(status=DecisionStatus.SUBMITTED)
        if filters.submitted_from:
            qs = qs.filter(submitted_at__gte=_london_midnight(filters.submitted_from))
        if filters.submitted_to:
            qs = qs.filter(submitted_at__lt=_london_midnight(filters.submitted_to + dt.timedelta(days=1)))
    if filters.outcome:
        qs = qs.filter(status=DecisionStatus.SUBMITTED, outcome__in=filters.outcome)
    if filters.consent:
        qs = qs.filter(status=DecisionStatus.SUBMITTED, current_version__consent_status__in=filters.consent)
    if filters.review:
        qs = qs.filter(status=DecisionStatus.SUBMITTED, review_status__in=filters.review)
    if filters.team is not None:
        qs = qs.filter(team_id=filters.team)
    if filters.edition:
        qs = qs.filter(edition=filters.edition)
    return qs


# Keyset paging ---------------------------------------------------------------------------------------------


def _encode(decision: Decision) -> str:
    stamp = decision.updated_at
    micros = int(stamp.timestamp()) * 1_000_000 + stamp.microsecond
    return f"{micros}.{decision.pk}"


def decode_cursor(value: str | None) -> tuple[dt.datetime, int] | None:
    """A cursor from the address, or None if it is missing or not one of ours."""
    match = CURSOR.match(value or "")
    if not match:
        return None
    micros, pk = int(match[1]), int(match[2])
    try:
        stamp = dt.datetime.fromtimestamp(micros // 1_000_000, tz=dt.UTC).replace(microsecond=micros % 1_000_000)
    except (OverflowError, OSError, ValueError):
        return None
    return stamp, pk


@dataclass
class Page:
    rows: list[Decision]
    count: int
    count_capped: bool
    next_cursor: str = ""
    previous_cursor: str = ""
    selected: list[tuple[str, str, str]] = field(default_factory=list)


def page_of(qs: QuerySet[Decision], *, after: str | None = None, before: str | None = None) -> Page:
    """One page of `qs`, newest change first, after (or before) a cursor. Two queries: the rows and a count (one
    when the first page holds every match)."""
    newest_first = qs.order_by("-updated_at", "-pk")
    after_key, before_key = decode_cursor(after), decode_cursor(before)
    if before_key is not None:
        stamp, pk = before_key
        window = qs.filter(Q(updated_at__gt=stamp) | Q(updated_at=stamp, pk__gt=pk)).order_by("updated_at", "pk")
        rows = list(window[: PAGE_SIZE + 1])
        has_more_before = len(rows) > PAGE_SIZE
        rows = list(reversed(rows[:PAGE_SIZE]))
        has_more_after = True
    else:
        window = newest_first
        if after_key is not None:
            stamp, pk = after_key
            window = window.filter(Q(updated_at__lt=stamp) | Q(updated_at=stamp, pk__lt=pk))
        rows = list(window[: PAGE_SIZE + 1])
        has_more_after = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        has_more_before = after_key is not None
    if before_key is None and after_key is None and not has_more_after:
        count = len(rows)  # the first page holds every match: no need to count them again
    else:
        count = qs.order_by()[: COUNT_LIMIT + 1].count()
    return Page(
        rows=rows,
        count=min(count, COUNT_LIMIT),
        count_capped=count > COUNT_LIMIT,
        next_cursor=_encode(rows[-1]) if rows and has_more_after else "",
        previous_cursor=_encode(rows[0]) if rows and has_more_before else "",
    )


# The filters the user chose, each with a link that removes it ---------------------------------------------


def _without(query: QueryDict, key: str, value: str | None = None) -> str:
    kept = [
        (k, v)
        for k, values in query.lists()
        for v in values
        if k not in ("after", "before")
        and not (k == key and (value is None or v == value))
        and not (key == "date_of_birth" and k.startswith("date_of_birth_"))
        and not (key.startswith("submitted_") and k.startswith(f"{key}_"))
    ]
    return "?" + urlencode(kept) if kept else "?"


def selected_filters(form: DecisionFilterForm, query: QueryDict) -> list[tuple[str, str, str]]:
    """(heading, value shown, link without it) for each filter the user chose, to show above the results."""
    if not form.is_valid():
        return []
    data = form.cleaned_data
    chosen: list[tuple[str, str, str]] = []
    for key in ("reference", "case_reference", "name"):
        if data.get(key):
            chosen.append((str(form.fields[key].label), data[key], _without(query, key)))
    for key, heading in (("date_of_birth", "Date of birth"), ("submitted_from", "From"), ("submitted_to", "To")):
        if data.get(key):
            chosen.append((heading, f"{data[key]:%-d %B %Y}", _without(query, key)))
    for key in ("outcome", "consent", "review"):
        labels = dict(form.fields[key].choices)  # type: ignore[attr-defined]
        for value in data.get(key) or []:
            chosen.append((str(form.fields[key].label), str(labels[value]), _without(query, key, value)))
    if data.get("team") is not None:
        labels = {str(k): v for k, v in form.fields["team"].choices}  # type: ignore[attr-defined]
        chosen.append(("Team", str(labels.get(str(data["team"]), "")), _without(query, "team")))
    if data.get("edition"):
        chosen.append(("Edition", f"{data['edition']} edition", _without(query, "edition")))
    return chosen


def search(user: Any, qs: QuerySet[Decision], filters: Filters) -> QuerySet[Decision]:
    membership = membership_of(user)
    if membership is None:
        return qs.none()
    return apply_filters(qs, filters, membership.organisation_id)
