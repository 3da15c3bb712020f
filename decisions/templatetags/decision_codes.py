"""`{{ version.content_hash|short_code }}`: the start of a verification code, for pages read on screen.
`{{ code|edition_title }}`: an edition's name ("2018" is a code, not something to show)."""

from __future__ import annotations

from django import template

from decisions.guidance import EDITIONS

register = template.Library()

# Twelve characters (48 bits) tell one record from another at a glance and read aloud easily; the full
# 64 are on the PDF audit record and the verify page, which are what prove a copy is true.
SHORT_CODE_LENGTH = 12


@register.filter
def short_code(code: str) -> str:
    text = str(code or "")[:SHORT_CODE_LENGTH]
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@register.filter
def edition_title(code: str) -> str:
    known = EDITIONS.get(str(code))
    return known.title if known is not None else str(code)
