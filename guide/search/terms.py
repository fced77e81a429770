"""Search terms: what is indexed and what is looked up, made the same way from any text.

fold() first, then words are runs of letters and digits; the Arabic article and the
conjunctions and prepositions joined to it are stripped (المسجد, والمسجد, بالمسجد → مسجد), then
Snowball stems (Arabic for Arabic script, French otherwise). Both databases store and look up
exactly these strings, so they agree on what matches.
"""

import unicodedata
from functools import lru_cache

import snowballstemmer

from guide.search.normalize import fold

# Longest first: وال before ال. A word keeps its start when too little would be left.
ARTICLES = ("وال", "بال", "فال", "كال", "لل", "ال")
MIN_STEM = 2
# Longer runs are not words (a pasted URL, a hash); they are cut to this many characters.
MAX_TERM = 64
_STEMMERS = {"arabic": snowballstemmer.stemmer("arabic"), "french": snowballstemmer.stemmer("french")}


def words(text: str) -> list[str]:
    """Split folded text into runs of letters and digits (Unicode categories L and N)."""
    found, current = [], []
    for char in fold(text):
        if unicodedata.category(char)[0] in "LN":
            current.append(char)
        elif current:
            found.append("".join(current))
            current = []
    if current:
        found.append("".join(current))
    return found


def strip_article(word: str) -> str:
    """Drop a leading Arabic article (with و ب ف ك or ل before it) when a word remains."""
    for article in ARTICLES:
        if word.startswith(article) and len(word) - len(article) >= MIN_STEM:
            return word[len(article):]
    return word


def _is_arabic(word: str) -> bool:
    return any("\u0600" <= char <= "\u06ff" for char in word)


@lru_cache(maxsize=65536)
def term(word: str) -> str:
    """Return the indexed form of one folded word: article stripped, stemmed, capped."""
    base = strip_article(word)
    if base.isdigit():
        return base[:MAX_TERM]
    stemmed = _STEMMERS["arabic" if _is_arabic(base) else "french"].stemWord(base)
    # Snowball may strip a whole short word; the unstemmed form is better than nothing.
    return (stemmed or base)[:MAX_TERM]


def terms(text: str) -> list[str]:
    """Return the indexed terms of a text, in order."""
    return [term(word) for word in words(text)]


def prefixes(word: str) -> list[str]:
    """Return what the last word typed may be the start of: its term, and its folded form."""
    forms = [term(word), strip_article(word)[:MAX_TERM]]
    return list(dict.fromkeys(forms))
