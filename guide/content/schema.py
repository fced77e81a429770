"""The shape of content/ files, checked before anything is written."""

import re
from typing import ClassVar
from typing import Literal

from babel import Locale
from babel import UnknownLocaleError
from pydantic import AwareDatetime
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import ValidationInfo
from pydantic import field_validator
from pydantic import model_validator

from guide.codes.format import is_well_formed
from guide.guides.services import count_sentences

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
# Invisible direction overrides and NULs would let a title reorder or hide text around it.
_FORBIDDEN_CHARACTERS = re.compile("[\x00\u202a-\u202e\u2066-\u2069]")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _check_languages(values: dict, info: ValidationInfo) -> dict:
    required = (info.context or {}).get("required_languages", ())
    missing = [lang for lang in required if not values.get(lang)]
    if missing:
        raise ValueError(f"missing language(s): {', '.join(missing)}")
    for lang in values:
        _check_language_code(lang)
    return values


def _check_language_code(lang: str) -> None:
    try:
        Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        raise ValueError(f"unknown language code {lang!r}") from None


def _check_characters(value):
    if isinstance(value, str) and _FORBIDDEN_CHARACTERS.search(value):
        raise ValueError("contains a NUL or a bidirectional override character")
    return value


class Localized(Strict):
    """Base for records whose per-language dicts must cover every required language."""

    @field_validator("*", mode="after")
    @classmethod
    def languages_complete(cls, value, info: ValidationInfo):
        if isinstance(value, dict) and info.field_name in cls.localized_fields:
            _check_languages(value, info)
            for text in value.values():
                if isinstance(text, str):
                    _check_characters(text)
                elif isinstance(text, BaseModel):
                    for field_value in text.__dict__.values():
                        _check_characters(field_value)
        return value

    localized_fields: ClassVar[frozenset[str]] = frozenset()


class ImageEntry(Localized):
    localized_fields: ClassVar[frozenset[str]] = frozenset({"alt", "credit"})

    file: str
    alt: dict[str, str]
    credit: dict[str, str]


class GuideEntry(Strict):
    lang: str
    transcript: str = Field(min_length=1)
    audio: str | None = None
    narrator: str = ""
    spoken: str = ""
    timings: list[float] | None = None

    @field_validator("timings")
    @classmethod
    def timings_increase(cls, value: list[float] | None) -> list[float] | None:
        if value is not None and (not value or value[0] < 0 or any(b <= a for a, b in zip(value, value[1:], strict=False))):
            raise ValueError("timings must be seconds from 0, strictly increasing")
        return value

    @field_validator("timings")
    @classmethod
    def one_timing_per_sentence(cls, value: list[float] | None, info: ValidationInfo) -> list[float] | None:
        transcript = info.data.get("transcript")
        if value is not None and transcript is not None and len(value) != count_sentences(transcript):
            raise ValueError(f"{len(value)} timings for {count_sentences(transcript)} transcript sentences: "
                             "give the start of each sentence, in order")
        return value

    @field_validator("transcript", "narrator", "spoken")
    @classmethod
    def no_control_characters(cls, value: str) -> str:
        return _check_characters(value)


def _unique_languages(guides: list[GuideEntry]) -> list[GuideEntry]:
    seen = [guide.lang for guide in guides]
    duplicates = sorted({lang for lang in seen if seen.count(lang) > 1})
    if duplicates:
        raise ValueError(f"more than one guide for language(s): {', '.join(duplicates)}")
    return guides


class StopTextEntry(Strict):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1)


class Plaqued(Localized):
    """A record with its own plaque code and guides, one per language."""

    @field_validator("code", check_fields=False)
    @classmethod
    def code_well_formed(cls, value: str) -> str:
        return _check_code(value)

    @field_validator("guides", check_fields=False)
    @classmethod
    def one_guide_per_language(cls, value: list[GuideEntry]) -> list[GuideEntry]:
        return _unique_languages(value)


class StopEntry(Plaqued):
    localized_fields: ClassVar[frozenset[str]] = frozenset({"text"})

    slug: str = Field(pattern=SLUG, max_length=80)
    code: str
    number: int = Field(ge=1, le=99999)
    text: dict[str, StopTextEntry]
    image: ImageEntry | None = None
    guides: list[GuideEntry] = []



class MonumentTextEntry(Strict):
    name: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1)
    body: str = Field(min_length=1)
    period: str = Field("", max_length=120)
    architect: str = Field("", max_length=200)
    style: str = Field("", max_length=200)
    address: str = Field("", max_length=300)
    hours: str = ""


class MonumentFile(Plaqued):
    localized_fields: ClassVar[frozenset[str]] = frozenset({"text"})

    slug: str = Field(pattern=SLUG, max_length=80)
    # When this version was made; export writes it so a round trip keeps the API's updated_at.
    updated: AwareDatetime | None = None
    code: str
    number: int = Field(ge=1, le=99999)
    year_start: int | None = Field(None, ge=-3000, le=2100)
    year_end: int | None = Field(None, ge=-3000, le=2100)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    access: Literal["inside", "street", "partial"] = "inside"
    wikidata: str | None = Field(None, pattern=r"^Q[1-9][0-9]*$")
    text: dict[str, MonumentTextEntry]
    cover: ImageEntry | None = None
    gallery: list[ImageEntry] = []
    guides: list[GuideEntry] = []
    stops: list[StopEntry] = []


    @model_validator(mode="after")
    def stops_distinct(self):
        slugs = [stop.slug for stop in self.stops]
        if len(slugs) != len(set(slugs)):
            raise ValueError("two stops share a slug")
        if self.year_start and self.year_end and self.year_end < self.year_start:
            raise ValueError("year_end is before year_start")
        return self

    def media_files(self):
        """Yield (relative path, "image" or "audio") for every file the monument names."""
        images: list[ImageEntry] = [*([self.cover] if self.cover else []), *self.gallery]
        guides: list[GuideEntry] = list(self.guides)
        for stop in self.stops:
            images.extend([stop.image] if stop.image else [])
            guides.extend(stop.guides)
        for image in images:
            yield image.file, "image"
        for guide in guides:
            if guide.audio:
                yield guide.audio, "audio"



class SiteFile(Localized):
    localized_fields: ClassVar[frozenset[str]] = frozenset({"name", "description"})

    slug: str = Field(pattern=SLUG, max_length=64)
    updated: AwareDatetime | None = None
    position: int = 0
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    name: dict[str, str]
    description: dict[str, str]


class TourTextEntry(Strict):
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=1000)
    intro: str = Field(min_length=1, max_length=20000)


class TourStopEntry(Strict):
    """A monument of the tour's site, by slug, with an optional note per language."""

    monument: str = Field(pattern=SLUG, max_length=80)
    note: dict[str, str] = {}

    @field_validator("note")
    @classmethod
    def note_languages(cls, value: dict[str, str]) -> dict[str, str]:
        # Optional, but once given it must be given in every required language (publish checks that).
        for lang, text in value.items():
            _check_characters(text)
            _check_language_code(lang)
            if len(text) > 5000:
                raise ValueError("a note is at most 5000 characters")
        return {lang: text for lang, text in value.items() if text.strip()}


class TourFile(Localized):
    """<site>/tours/<slug>.toml: a walking tour across monuments of its site."""

    localized_fields: ClassVar[frozenset[str]] = frozenset({"text"})

    slug: str = Field(pattern=SLUG, max_length=80)
    updated: AwareDatetime | None = None
    position: int = Field(0, ge=0, le=9999)
    text: dict[str, TourTextEntry]
    stops: list[TourStopEntry] = Field(min_length=2, max_length=100)

    @model_validator(mode="after")
    def stops_distinct(self):
        slugs = [stop.monument for stop in self.stops]
        if len(slugs) != len(set(slugs)):
            raise ValueError("a monument appears twice in the tour")
        return self


class CodeEntry(Strict):
    """One plaque of a site in codes.toml: where it leads, or when it was retired."""

    code: str
    number: int = Field(ge=1, le=999999)
    # "monument-slug" or "monument-slug/stop-slug"; a retired code may have lost its target.
    target: str | None = Field(None, pattern=r"^[a-z0-9-]+(/[a-z0-9-]+)?$")
    created: AwareDatetime | None = None
    retired_at: AwareDatetime | None = None

    @field_validator("code")
    @classmethod
    def code_well_formed(cls, value: str) -> str:
        return _check_code(value)

    @model_validator(mode="after")
    def has_target(self):
        if self.target is None and self.retired_at is None:
            raise ValueError("a code in service needs a target")
        return self


class CodesFile(Strict):
    """codes.toml: every plaque of a site, including extra and retired ones."""

    codes: list[CodeEntry] = []

    @model_validator(mode="after")
    def codes_distinct(self):
        for name, values in (("code", [e.code for e in self.codes]), ("number", [e.number for e in self.codes])):
            if len(values) != len(set(values)):
                raise ValueError(f"two entries share a {name}")
        return self


def code_entries(data: dict | None) -> dict[str, tuple[int, str | None]]:
    """Map each plaque code a monument record names to its keypad number and stop slug (None: itself)."""
    if not data:
        return {}
    entries = {data["code"]: (data["number"], None)}
    entries.update({stop["code"]: (stop["number"], stop["slug"]) for stop in data.get("stops", [])})
    return entries


def _check_code(value: str) -> str:
    if not is_well_formed(value):
        raise ValueError(f"{value!r} is not a well-formed code (alphabet, length or check character)")
    return value
