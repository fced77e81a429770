"""Add synthetic monuments to a site, for measuring how reads and packs scale with its size.

    python bench/generate.py DATABASE_URL SITE COUNT [--stops 3] [--images 2]

Each monument is live and complete in every language: texts, a cover and gallery images with
alt texts, an audio guide, stops with their own text, image, guide and plaque code. Pictures
and recordings reuse media files already in the database (a pack lists each file once), so
the generated content costs rows, not disk. Tests import add_monuments from here.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func  # noqa: E402
from sqlalchemy import select  # noqa: E402

from guide.codes.format import new_code  # noqa: E402
from guide.codes.models import Code  # noqa: E402
from guide.extensions import db  # noqa: E402
from guide.guides.models import Guide  # noqa: E402
from guide.media.models import Image  # noqa: E402
from guide.media.models import ImageText  # noqa: E402
from guide.media.models import MediaFile  # noqa: E402
from guide.monuments.models import Monument  # noqa: E402
from guide.monuments.models import MonumentText  # noqa: E402
from guide.monuments.models import Stop  # noqa: E402
from guide.monuments.models import StopText  # noqa: E402
from guide.sites.models import Site  # noqa: E402

LANGUAGES = ("ar", "fr")
NAMES = {"ar": "معلمة تجريبية", "fr": "Monument d’essai"}


class Codes:
    """Fresh codes and keypad numbers for one site, drawn without a query per code.

    The codes lifecycle reads every existing code to draw each new one; at ten thousand
    monuments that is quadratic, so the generator keeps the taken set itself.
    """

    def __init__(self, site: Site) -> None:
        self.site = site
        self.taken = set(db.session.scalars(select(Code.code)))
        self.number = db.session.scalar(select(func.max(Code.number)).where(Code.site_id == site.id)) or 0

    def add(self, monument: Monument | None = None, stop: Stop | None = None) -> Code:
        code = new_code(self.taken)
        self.taken.add(code)
        self.number += 1
        row = Code(code=code, site_id=self.site.id, number=self.number, monument=monument, stop=stop)
        db.session.add(row)
        return row


def _media(kind: str) -> MediaFile:
    found = db.session.scalar(select(MediaFile).where(MediaFile.mimetype.startswith(kind)).limit(1))
    if found is None:
        raise LookupError(f"no {kind} media file to reuse: load content/ first")
    return found


def _image(role: str, position: int, picture: MediaFile, label: str) -> Image:
    image = Image(role=role, position=position, media_sha256=picture.sha256)
    for lang in LANGUAGES:
        image.texts[lang] = ImageText(lang=lang, alt=f"{NAMES[lang]} {label}", credit="Dalil")
    return image


def _guides(audio: MediaFile, label: str) -> dict[str, Guide]:
    return {lang: Guide(lang=lang, transcript=f"{NAMES[lang]} {label}. " * 3, narrator="Dalil",
                        audio_sha256=audio.sha256) for lang in LANGUAGES}


def _stop(slug: str, position: int, label: str, picture: MediaFile, audio: MediaFile) -> Stop:
    stop = Stop(slug=slug, position=position)
    for lang in LANGUAGES:
        stop.texts[lang] = StopText(lang=lang, title=f"{NAMES[lang]} {label}", body=f"{NAMES[lang]} {label}.")
    stop.images = [_image("stop", 0, picture, label)]
    stop.guides = _guides(audio, label)
    return stop


def add_monuments(site_slug: str, count: int, stops: int = 3, images: int = 2,
                  prefix: str = "generated") -> list[Monument]:
    """Add count live monuments to a site, each with stops, images and guides; flushes only."""
    site = db.session.scalar(select(Site).where(Site.slug == site_slug))
    picture, audio = _media("image/"), _media("audio/")
    codes = Codes(site)
    start = db.session.scalar(select(func.count()).select_from(Monument).where(Monument.site_id == site.id))
    made = []
    for index in range(start, start + count):
        label = f"{index + 1}"
        monument = Monument(site=site, slug=f"{prefix}-{site_slug}-{index + 1}", position=1000 + index,
                            year_start=1900 + index % 100, access="inside", state="published", live=True)
        for lang in LANGUAGES:
            monument.texts[lang] = MonumentText(lang=lang, name=f"{NAMES[lang]} {label}",
                                                summary=f"{NAMES[lang]} {label}.",
                                                body=f"{NAMES[lang]} {label}.\n\n" * 4)
        monument.images = [_image("cover", 0, picture, label),
                           *(_image("gallery", n, picture, label) for n in range(1, images))]
        monument.guides = _guides(audio, label)
        monument.stops = [_stop(f"stop-{n}", n, f"{label}.{n}", picture, audio) for n in range(1, stops + 1)]
        db.session.add(monument)
        codes.add(monument=monument)
        for stop in monument.stops:
            codes.add(stop=stop)
        made.append(monument)
        if len(made) % 200 == 0:
            db.session.flush()
    db.session.flush()
    return made


def enlarge(monument: Monument, stops: int, images: int) -> None:
    """Give an existing monument more stops (each with its code) and gallery images; flushes only."""
    picture, audio = _media("image/"), _media("audio/")
    codes = Codes(monument.site)
    last = max((stop.position for stop in monument.stops), default=0)
    for n in range(last + 1, last + stops + 1):
        stop = _stop(f"generated-stop-{n}", n, f"{monument.slug}.{n}", picture, audio)
        monument.stops.append(stop)
        codes.add(stop=stop)
    last = max((image.position for image in monument.images), default=0)
    monument.images.extend(_image("gallery", n, picture, monument.slug)
                           for n in range(last + 1, last + images + 1))
    db.session.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("site")
    parser.add_argument("count", type=int)
    parser.add_argument("--stops", type=int, default=3)
    parser.add_argument("--images", type=int, default=2)
    args = parser.parse_args()
    from guide import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url})
    with app.app_context():
        add_monuments(args.site, args.count, args.stops, args.images)
        db.session.commit()
    print(f"added {args.count} monuments to {args.site}")


if __name__ == "__main__":
    main()
