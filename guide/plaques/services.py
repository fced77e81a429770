"""What plaques print: each code's names, collected for a site, a monument or some codes."""

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from guide.codes.models import Code
from guide.codes.services import MAX_TYPED_LENGTH
from guide.codes.services import CodeError
from guide.codes.services import find_code
from guide.codes.services import read_code
from guide.extensions import db
from guide.i18n import current_language
from guide.monuments.models import Monument
from guide.monuments.models import Stop
from guide.monuments.services import get_monument
from guide.plaques.labels import PlaqueData
from guide.plaques.labels import guide_text
from guide.plaques.labels import pdf_bytes
from guide.plaques.labels import png_bytes
from guide.plaques.labels import render_pages
from guide.plaques.labels import size_guide
from guide.plaques.symbols import make_symbol
from guide.plaques.symbols import plaque_url
from guide.sites.models import Site
from guide.sites.services import get_site


def plaque_data(code: Code) -> PlaqueData:
    """Collect what one plaque prints: its target's name in every language the content has."""
    if code.stop is not None:
        names = {lang: text.title for lang, text in code.stop.texts.items()}
    else:
        names = {lang: text.name for lang, text in code.target_monument.texts.items()}
    return PlaqueData(code=code.code, number=code.number, names=names)


def plaques_for(site: str | None = None, monument: str | None = None,
                codes: tuple[str, ...] = ()) -> list[PlaqueData]:
    """Collect the plaques of some codes, a monument or a whole site, in walking order.

    Retired codes are left out of a site or a monument; naming one explicitly is an error.
    """
    rows: list[Code] = []
    if site is not None:
        found = get_site(site)
        if found is None:
            raise CodeError(_("No site has the slug %(slug)s.", slug=site))
        rows += _codes_of_monuments(select(Monument).where(Monument.site_id == found.id))
    if monument is not None:
        if get_monument(monument) is None:
            raise CodeError(_("No monument has the slug %(slug)s.", slug=monument))
        rows += _codes_of_monuments(select(Monument).where(Monument.slug == monument))
    for raw in codes:
        code = read_code(raw)
        row = find_code(code) if code else None
        if row is None:
            raise CodeError(_("No plaque carries the code %(code)s.", code=raw[:MAX_TYPED_LENGTH]))
        if row.is_retired:
            raise CodeError(_("The code %(code)s is retired; create a new one instead.", code=row.code))
        rows.append(row)
    unique = list(dict.fromkeys(rows))
    return [plaque_data(row) for row in unique]


def _codes_of_monuments(query) -> list[Code]:
    monuments = db.session.scalars(
        query.order_by(Monument.position, Monument.slug).options(
            selectinload(Monument.site).selectinload(Site.texts),
            selectinload(Monument.codes),
            selectinload(Monument.stops).selectinload(Stop.codes),
        )
    )
    rows = []
    for monument in monuments:
        rows += [code for code in monument.codes if not code.is_retired]
        for stop in monument.stops:
            rows += [code for code in stop.codes if not code.is_retired]
    return rows


def export_labels(site: str | None = None, monument: str | None = None, codes: tuple[str, ...] = (),
                  layout: str = "sheet", paper: str = "a6",
                  file_format: str = "pdf") -> tuple[list[bytes], int, str]:
    """Draw the plaques of some codes, a monument or a site as one PDF or one PNG per page.

    Returns the files, how many plaques they hold, and the size guidance in the current language.
    """
    plaques = plaques_for(site, monument, codes)
    files = label_files(plaques, layout, paper, file_format)
    guidance = guide_text(size_guide(make_symbol(plaque_url(plaques[0].code))), current_language())
    return files, len(plaques), guidance


def label_files(plaques: list[PlaqueData], layout: str = "sheet", paper: str = "a6",
                file_format: str = "pdf", title: str = "Dalil") -> list[bytes]:
    """Draw plaques as one PDF, or one PNG per page (the CMS downloads and `flask labels`)."""
    pages = render_pages(plaques, layout, paper)
    return [pdf_bytes(pages, title)] if file_format == "pdf" else [png_bytes(page) for page in pages]
