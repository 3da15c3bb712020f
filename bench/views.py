"""The floor: what the cheapest signed-in page costs with this Django, middleware and PostgreSQL."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from decisions.models import Decision


@require_GET
def floor(request: HttpRequest) -> HttpResponse:
    # One query on a unique index, and a template that extends nothing.
    reference = Decision.objects.filter(pk=1).values_list("reference", flat=True).first()
    return render(request, "bench/floor.html", {"reference": reference or ""})
