"""Permanent plaque codes: a typable alphabet with a Luhn mod N check character."""

import secrets
import unicodedata

# No 0/O, 1/I/L, 5/S, 2/Z, 8/B or V/U: the pairs people misread on a weathered plaque.
# Luhn mod N catches every single substitution only when N is even: 24 characters.
ALPHABET = "34679ACDEFGHJKMNPQRTUWXY"
BODY_LENGTH = 4
CODE_LENGTH = BODY_LENGTH + 1

# What a visitor may type for a character that is not in the alphabet.
_LOOKALIKES = str.maketrans({"0": "Q", "O": "Q", "1": "T", "I": "T", "L": "T",
                             "5": "G", "S": "G", "2": "7", "Z": "7", "8": "3", "B": "3", "V": "U"})


def check_character(body: str) -> str:
    """Return the Luhn mod N check character for a code body."""
    base = len(ALPHABET)
    total = 0
    factor = 2
    for char in reversed(body):
        addend = factor * ALPHABET.index(char)
        total += addend // base + addend % base
        factor = 1 if factor == 2 else 2
    return ALPHABET[(base - total % base) % base]


# Invisible or separating characters people and phones put around and inside a code: format
# marks (Cf: RLM, LRM, RLO, ALM, soft hyphen, zero-width space, BOM…), controls (Cc), spaces
# and line breaks (Zs, Zl, Zp) and dashes (Pd).
_DROPPED_CATEGORIES = frozenset(("Cf", "Cc", "Zs", "Zl", "Zp", "Pd"))


def fold(raw: str) -> str:
    """Fold a typed or scanned code or keypad number to its plain form; fold(fold(x)) == fold(x).

    The exact rules, which the service worker mirrors in JavaScript, in this order:
    1. drop every character of Unicode general category Cf, Cc, Zs, Zl, Zp or Pd;
    2. NFKC-normalize (full-width Ａ and ９ become A and 9, ligatures split);
    3. upper-case every character whose upper case is ASCII (a-z, ß, ı…; other scripts' letters
       never make a code, and Unicode versions disagree on them), then NFKC-normalize again;
    4. drop the characters of step 1 again (NFKC turns ´ into a space and a combining accent),
       then NFKC-normalize once more (that accent now composes with the letter before it);
    5. replace every character of category Nd (any script's decimal digit: ٩, ۹, ९…) with
       the ASCII digit of the same value.
    The result may still hold characters no code uses; is_well_formed decides.
    """
    if raw.isascii() and raw.isalnum():
        # What a plaque's QR code carries: every rule above then comes down to upper-casing.
        return raw.upper()
    text = _drop_invisible(raw)
    text = unicodedata.normalize("NFKC", _upper_to_ascii(unicodedata.normalize("NFKC", text)))
    text = unicodedata.normalize("NFKC", _drop_invisible(text))
    return "".join(
        str(unicodedata.decimal(char)) if unicodedata.category(char) == "Nd" else char for char in text
    )


def _upper_to_ascii(text: str) -> str:
    return "".join(upper if (upper := char.upper()).isascii() else char for char in text)


def _drop_invisible(text: str) -> str:
    return "".join(char for char in text if unicodedata.category(char) not in _DROPPED_CATEGORIES)


def is_well_formed(code: str) -> bool:
    """Tell whether a normalized code has the right length, alphabet and check character."""
    return (
        len(code) == CODE_LENGTH
        and all(char in ALPHABET for char in code)
        and check_character(code[:-1]) == code[-1]
    )


def single_typo_candidates(code: str) -> list[str]:
    """List well-formed codes one substitution away from a mistyped code."""
    if len(code) != CODE_LENGTH:
        return []
    code = code.translate(_LOOKALIKES)
    if is_well_formed(code):
        return [code]
    candidates = []
    for position in range(CODE_LENGTH):
        for char in ALPHABET:
            if char == code[position]:
                continue
            candidate = code[:position] + char + code[position + 1 :]
            if is_well_formed(candidate):
                candidates.append(candidate)
    return candidates


def _swaps(code: str) -> list[str]:
    swapped = (code[:i] + code[i + 1] + code[i] + code[i + 2 :] for i in range(len(code) - 1))
    return [candidate for candidate in swapped if candidate != code and is_well_formed(candidate)]


def typo_candidates(code: str) -> list[str]:
    """List well-formed codes one slip away: a wrong, swapped, missing or extra character.

    A well-formed code comes first, as typed; Luhn mod N misses a few swaps of neighbours,
    so the well-formed swaps of it follow.
    """
    code = code.translate(_LOOKALIKES)
    if not CODE_LENGTH - 1 <= len(code) <= CODE_LENGTH + 1:
        return []
    if is_well_formed(code):
        return [code, *_swaps(code)]
    found = dict.fromkeys(single_typo_candidates(code))
    if len(code) == CODE_LENGTH:
        found.update(dict.fromkeys(_swaps(code)))
    elif len(code) == CODE_LENGTH - 1:
        for position in range(CODE_LENGTH):
            for char in ALPHABET:
                candidate = code[:position] + char + code[position:]
                if is_well_formed(candidate):
                    found[candidate] = None
    else:
        for position in range(CODE_LENGTH + 1):
            candidate = code[:position] + code[position + 1 :]
            if is_well_formed(candidate):
                found[candidate] = None
    return list(found)


def new_code(taken: set[str] | frozenset[str] = frozenset()) -> str:
    """Draw a fresh random code that is not in taken."""
    while True:
        body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
        code = body + check_character(body)
        if code not in taken:
            return code
