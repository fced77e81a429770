"""Small, obviously-correct reference implementations that tests compare Dalil against."""


def negotiate(header: str, supported: tuple[str, ...], default: str) -> str:
    """RFC 4647 lookup over Accept-Language, by primary subtag, in descending q.

    Ranges are tried in descending q, ties in header order; the first whose primary subtag
    is a supported language wins. `*` means the default. q=0 excludes: a range `xx;q=0`
    rules out language `xx` wherever else it appears (`xx-YY;q=0` rules out only that region,
    which Dalil does not serve apart, so it excludes nothing). A range with a malformed q is
    ignored. If nothing matches, the default.
    """
    ranges = []
    for position, item in enumerate(header.split(",")):
        tag, *params = [piece.strip() for piece in item.split(";")]
        if not tag:
            continue
        weight = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = -1.0
                if not 0 <= weight <= 1:
                    weight = -1.0
        if weight >= 0:
            ranges.append((weight, position, tag.lower()))
    excluded = {tag for weight, _, tag in ranges if weight == 0}
    allowed = [lang for lang in supported if lang not in excluded]
    for weight, _position, tag in sorted(ranges, key=lambda r: (-r[0], r[1])):
        if weight == 0:
            continue
        if tag == "*":
            return default if default in allowed else (allowed[0] if allowed else default)
        primary = tag.split("-")[0]
        if primary in allowed:
            return primary
    return default
