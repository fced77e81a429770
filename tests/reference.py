"""Small reference implementations that tests compare Dalil against.

Written independently of the code under test, the way the RFCs read, not for speed.
"""

import re

# RFC 9110 §12.5.4: language-range [ weight ], where weight is OWS ";" OWS "q=" qvalue. Python's
# float() reading of qvalue is what Dalil accepts; anything it cannot read rules the range out.
_ITEM = re.compile(r"^\s*(?P<range>[^;\s]*)\s*(?P<params>(?:;.*)?)$", re.DOTALL)


def _qvalue(params: str) -> float | None:
    """Return the last q parameter's value (1 when there is none), or None when it is malformed."""
    value = 1.0
    for param in params.split(";")[1:]:
        name, equals, raw = param.partition("=")
        if name.strip().lower() != "q":
            continue
        try:
            value = float(raw) if equals else None
        except ValueError:
            value = None
        if value is None or not 0 <= value <= 1:
            return None
    return value


def _lookup(language_range: str, available: list[str]) -> str | None:
    """RFC 4647 §3.4 lookup of one range: drop subtags from the end until a tag is available."""
    candidate = language_range
    while candidate:
        if candidate in available:
            return candidate
        candidate = candidate.rpartition("-")[0]
    return None


def negotiate(header: str, supported: tuple[str, ...], default: str) -> str:
    """Pick the language for an Accept-Language header.

    Ranges are tried in descending q, ties in header order, each by RFC 4647 lookup among the
    supported languages; `*` means the default. A range with q=0 rules its tag out (`fr;q=0`
    excludes fr; `fr-FR;q=0` names no tag Dalil serves, so it excludes nothing). A malformed
    q rules its range out. With no match, the default.
    """
    weighted = []
    for order, item in enumerate(header.split(",")):
        match = _ITEM.match(item)
        if not match or not match.group("range"):
            continue
        q = _qvalue(match.group("params"))
        if q is not None:
            weighted.append((q, order, match.group("range").lower()))
    refused = {language_range for q, _order, language_range in weighted if q == 0}
    available = [lang for lang in supported if lang not in refused]
    for q, _order, language_range in sorted(weighted, key=lambda entry: (-entry[0], entry[1])):
        if q == 0:
            continue
        if language_range == "*":
            return default if default in available else next(iter(available), default)
        found = _lookup(language_range, available)
        if found:
            return found
    return default
