"""Fold text for search: the same function for what is indexed and what visitors type.

Arabic: harakat, superscript alef and tatweel are dropped; أ إ آ ٱ become ا, ؤ becomes و,
ئ and ى become ي, ة becomes ه; ﻻ and other presentation forms are unfolded. French: accents
are dropped, œ/æ become oe/ae. Both: case folding, Arabic-Indic and other digits become 0-9,
bidi controls and joiners are removed, runs of space become one space.
"""

import re
import unicodedata

_MAP = str.maketrans({
    "\u0640": None,  # tatweel
    "\u0649": "\u064a",  # alef maksura → yeh
    "\u0629": "\u0647",  # teh marbuta → heh
    "\u0671": "\u0627",  # alef wasla → alef
    "œ": "oe",
    "æ": "ae",
    "ß": "ss",
    **{chr(code): None for code in (0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x061C, 0xFEFF)},
    **{chr(code): None for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))},
})
_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Return the search form of a text: idempotent, fold(fold(x)) == fold(x)."""
    # NFKD splits أ into ا + hamza above (a mark), é into e + acute, ﻻ into ل ا; casefold
    # may produce new decomposable letters, hence the second NFKD.
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    folded = "".join(char for char in folded if unicodedata.category(char) != "Mn").translate(_MAP)
    folded = "".join(
        str(unicodedata.digit(char)) if not char.isascii() and unicodedata.digit(char, None) is not None
        and unicodedata.category(char) == "Nd" else char
        for char in folded
    )
    return _SPACE.sub(" ", folded).strip()
