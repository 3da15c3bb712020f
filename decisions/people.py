"""Names of people on a record, made searchable: case-folded and without accents."""

from __future__ import annotations

import unicodedata


def normalise_name(text: str) -> str:
    """`text` case-folded, accents removed, spaces collapsed: "  Zoë  O'Brien" -> "zoe o'brien"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())
