"""Transcripts as sentences with start times, for the player; and writing guides from records."""

import re
from dataclasses import dataclass

from guide.extensions import db
from guide.guides.models import Guide
from guide.media.models import MediaFile

# A sentence ends with . ! ? ؟ or … (or several), then maybe closing quotes or brackets,
# then white space.
_END = re.compile(r"[.!?؟…]+(?:\s?[\"»”’)\]])*(?=\s)")
# Words written with a final point that rarely end a sentence: "J.-C.", "av.", "M. Laprade".
ABBREVIATIONS = frozenset({
    "j.-c", "av", "apr", "env", "m", "mm", "mme", "mlle", "mgr", "dr", "st", "ste", "cf", "p", "ca", "no", "n°",
    "vol", "éd", "bd", "av. j.-c", "apr. j.-c",
})


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    start: float | None


def _is_abbreviation(before: str) -> bool:
    word = before.rsplit(maxsplit=1)[-1] if before.strip() else ""
    word = word.lstrip("(«\"“").lower()
    # A lone capital is an initial ("A. Laprade"), not the end of a sentence.
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha() and before.rstrip()[-1:].isupper())


def split_sentences(paragraph: str) -> list[str]:
    """Split one paragraph into sentences, keeping every character but the white space between them."""
    pieces, begin = [], 0
    for match in _END.finditer(paragraph):
        stop = match.end()
        # A single point may close an abbreviation rather than the sentence.
        single_point = match.group().startswith(".") and len(match.group().rstrip("\"»”’)] \u00a0\u202f")) == 1
        if single_point and _is_abbreviation(paragraph[begin:match.start()]):
            continue
        following = paragraph[stop:].lstrip()
        # "… etc. et la suite": a small letter after the point continues the sentence.
        if following[:1].islower():
            continue
        piece = paragraph[begin:stop].strip()
        if piece:
            pieces.append(piece)
        begin = stop
    rest = paragraph[begin:].strip()
    if rest:
        pieces.append(rest)
    return pieces


def split_transcript(transcript: str) -> list[list[str]]:
    """Split a transcript into paragraphs (blank lines) of sentences."""
    return [split_sentences(paragraph) for paragraph in re.split(r"\n\s*\n", transcript) if paragraph.strip()]


def count_sentences(transcript: str) -> int:
    """Count the sentences of a transcript, as the player shows them."""
    return sum(len(paragraph) for paragraph in split_transcript(transcript))


def sentence_starts(sentences: list[str], duration: float | None, timings: list[float] | None) -> list[float | None]:
    """Give each sentence its start in seconds: the recorded timings, else shares of the duration.

    A synthetic voice reads at a steady pace, so a sentence's share of the characters is its
    share of the time; a real narrator's recording comes with its own timings.
    """
    if timings is not None and len(timings) == len(sentences):
        return [float(value) for value in timings]
    if not duration:
        return [None] * len(sentences)
    total = sum(len(sentence) for sentence in sentences) or 1
    starts, elapsed = [], 0
    for sentence in sentences:
        starts.append(round(duration * elapsed / total, 2))
        elapsed += len(sentence)
    return starts


def transcript_sentences(guide: Guide) -> list[list[Sentence]]:
    """Return a guide's transcript as paragraphs of sentences with their start times."""
    paragraphs = split_transcript(guide.transcript)
    flat = [sentence for paragraph in paragraphs for sentence in paragraph]
    starts = iter(sentence_starts(flat, guide.duration_s, guide.timings))
    return [[Sentence(sentence, next(starts)) for sentence in paragraph] for paragraph in paragraphs]


def sync_guides(guides: dict[str, Guide], entries, media: dict[str, str]) -> None:
    """Make a monument's or stop's guides equal the content entries, one per language."""
    for lang in [lang for lang in guides if lang not in {entry.lang for entry in entries}]:
        del guides[lang]
    for entry in entries:
        guide = guides.get(entry.lang) or Guide(lang=entry.lang)
        guide.transcript, guide.narrator = entry.transcript, entry.narrator
        guide.spoken, guide.timings = entry.spoken, entry.timings
        guide.audio = db.session.get(MediaFile, media[entry.audio]) if entry.audio else None
        guides[entry.lang] = guide
