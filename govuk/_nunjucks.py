"""The few Nunjucks and JavaScript rules that govuk-frontend's templates depend on, in Python.

The templates are written for Nunjucks, whose expressions are JavaScript's: `{% if x %}` is JavaScript
truthiness (an empty list or dict is true), `==` is loose equality, `x + "-2"` turns a missing value into
"undefined", and `{{ x }}` escapes `& " ' < > \\` unless `x` was marked safe. These helpers keep those rules
in one place so that the components read like their templates.

Python's None stands for JavaScript's `undefined` (a missing option). The templates tell `null` from
`undefined` in a handful of places (`!== undefined`, `| default(x)`); no fixture passes `null` there, and for
a Python caller "None means not given" is the useful reading.
"""

from __future__ import annotations

import math
import re
from typing import Any

from django.utils.safestring import SafeData

__all__ = [
    "attributes",
    "cat",
    "content",
    "esc",
    "g",
    "i18n_attributes",
    "in_",
    "js_length",
    "length",
    "loose_eq",
    "raw",
    "to_str",
    "truthy",
]

# JavaScript's Number("...") accepts decimals, exponents and Infinity; Python's float() also takes "nan",
# "inf" and "1_000", which JavaScript would make NaN.
_JS_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Infinity")


def to_str(value: Any) -> str:
    """JavaScript's String(value): how Nunjucks prints a value. None (undefined) is the empty string."""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if value is None:
        return ""
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    if isinstance(value, str):
        return value  # SafeString and other str subclasses keep their type
    if isinstance(value, list | tuple):
        return ",".join(to_str(item) for item in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)  # lazy translations, dates, Decimals


def cat(value: Any) -> str:
    """A value used in string concatenation (`idPrefix + "-hint"`): a missing one becomes "undefined"."""
    if value is None:
        return "undefined"
    return to_str(value)


def _escape_str(text: str) -> str:
    # Nunjucks's lib.escape, character for character (note ' as &#39; and \ as &#92;, unlike Django).
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "'" in text:
        text = text.replace("'", "&#39;")
    if "\\" in text:
        text = text.replace("\\", "&#92;")
    return text


def esc(value: Any) -> str:
    """`{{ value }}` under autoescape: values marked safe (Django's SafeData) go in as they are."""
    if type(value) is str:
        return _escape_str(value)
    if value is None:
        return ""
    if isinstance(value, SafeData):
        return value  # type: ignore[return-value]
    return _escape_str(to_str(value))


_TRUE_WHEN_EMPTY = frozenset((list, tuple, dict))


def truthy(value: Any) -> bool:
    """JavaScript truthiness: like Python's, except that empty lists and dicts are true (and NaN is false)."""
    if value is None:
        return False
    if value:
        return value == value if type(value) is float else True
    return type(value) in _TRUE_WHEN_EMPTY or isinstance(value, list | tuple | dict)


def g(obj: Any, key: str) -> Any:
    """`obj.key` in Nunjucks: a missing key, or a lookup on something that is not a mapping, is undefined."""
    if type(obj) is dict:
        return obj.get(key)
    if obj is None:
        return None
    try:
        return obj.get(key)
    except AttributeError:
        return None


def raw(html: Any) -> str:
    """`html | safe`: inserted as given."""
    return to_str(html)


def content(html: Any, text: Any) -> str:
    """The templates' `params.html | safe | trim if params.html else params.text`."""
    if truthy(html):
        return to_str(html).strip()
    return esc(text)


def length(value: Any) -> int:
    """The `length` filter: 0 for undefined, the number of keys for a mapping."""
    if value is None:
        return 0
    try:
        return len(value)
    except TypeError:
        return 0


def js_length(value: Any) -> int | None:
    """`value.length` in a template: only lists and strings have one; otherwise undefined."""
    if isinstance(value, list | tuple | str):
        return len(value)
    return None


def _to_number(value: Any) -> float:
    if isinstance(value, bool | int | float):
        return float(value)
    text = value.strip()
    if not text:
        return 0.0
    if _JS_NUMBER.fullmatch(text):
        return float(text.replace("Infinity", "inf"))
    return math.nan


def _to_primitive(value: Any) -> Any:
    if isinstance(value, list | tuple | dict):
        return to_str(value)
    return value


def loose_eq(a: Any, b: Any) -> bool:
    """JavaScript's `==`, which Nunjucks uses for `==` and `!=` (so "1" == 1, and 0 == false)."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, list | tuple | dict) and isinstance(b, list | tuple | dict):
        return a is b
    a, b = _to_primitive(a), _to_primitive(b)
    if isinstance(a, str) and isinstance(b, str):
        return str.__eq__(a, b)  # type: ignore[no-any-return]
    if isinstance(a, str | bool | int | float) and isinstance(b, str | bool | int | float):
        return _to_number(a) == _to_number(b)
    return a == b  # type: ignore[no-any-return]


def _strict_eq(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if isinstance(a, str) and isinstance(b, str):
        return str.__eq__(a, b)  # type: ignore[no-any-return]
    if type(a) in (int, float) and type(b) in (int, float):
        return a == b  # type: ignore[no-any-return]
    return False


def in_(key: Any, container: Any) -> bool:
    """Nunjucks's `key in container`: === for lists, substring for strings, key for mappings."""
    if isinstance(container, list | tuple):
        return any(_strict_eq(item, key) for item in container)
    if isinstance(container, str | dict):
        return cat(key) in container  # JavaScript turns an undefined key into "undefined"
    raise TypeError(f'Cannot use "in" operator to search for "{key}" in unexpected types.')


def attributes(attrs: Any) -> str:
    """govuk-frontend's `govukAttributes` macro (dist/govuk/macros/attributes.njk).

    A string (plain or safe) goes in as given. A mapping gives ` name="value"` per entry, escaping names
    and values (values marked safe are not escaped); True and False print as "true" and "false", and None
    as "". An entry may be `{"value": ..., "optional": True}`: then None and False leave the attribute out,
    and True gives the bare name (a boolean attribute).
    """
    if not attrs:
        return ""
    if isinstance(attrs, str):
        return attrs
    if not isinstance(attrs, dict):
        return ""
    out = []
    for name, item in attrs.items():
        if isinstance(item, dict):
            value = item.get("value")
            optional = item.get("optional") is True
        else:
            value = item
            optional = False
        if optional:
            if value is True:
                out.append(f" {esc(name)}")
            elif value is not None and value is not False:
                out.append(f' {esc(name)}="{esc(value)}"')
        else:
            out.append(f' {esc(name)}="{esc(value)}"')
    return "".join(out)


def attribute(name: str, value: Any) -> str:
    """One optional entry of `govukAttributes` (`{value: ..., optional: true}`), for a fixed safe name."""
    if value is None or value is False:
        return ""
    if value is True:
        return " " + name
    return f' {name}="{esc(value)}"'


def i18n_attributes(key: str, message: Any = None, messages: Any = None) -> str:
    """govuk-frontend's `govukI18nAttributes` macro (dist/govuk/macros/i18n.njk)."""
    if truthy(messages):
        if not isinstance(messages, dict):
            return ""
        return "".join(f' data-i18n.{esc(key)}.{esc(rule)}="{esc(text)}"' for rule, text in messages.items())
    if truthy(message):
        return f' data-i18n.{esc(key)}="{esc(message)}"'
    return ""
