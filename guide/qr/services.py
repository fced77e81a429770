"""Resolving a plaque code to what it points at."""

from dataclasses import dataclass
from dataclasses import field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from guide.extensions import db
from guide.monuments.models import Monument
from guide.monuments.models import Stop
from guide.qr.codes import CODE_LENGTH
from guide.qr.codes import is_well_formed
from guide.qr.codes import normalize
from guide.qr.codes import single_typo_candidates
from guide.qr.models import Code

MAX_TYPED_LENGTH = 32


@dataclass
class Resolution:
    code: Code | None = None
    # Codes one typo away that do exist, for a "did you mean" link.
    suggestions: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.code is not None and not self.code.is_retired


def find_code(code: str) -> Code | None:
    """Return the code row with its target loaded, or None."""
    return db.session.scalar(
        select(Code)
        .where(Code.code == code)
        .options(
            selectinload(Code.monument).selectinload(Monument.site),
            selectinload(Code.stop).selectinload(Stop.monument),
        )
    )


def resolve_code(raw: str) -> Resolution:
    """Resolve a scanned or typed code, suggesting existing codes for a one-character typo."""
    if len(raw) > MAX_TYPED_LENGTH:
        return Resolution()
    code = normalize(raw)
    row = find_code(code) if is_well_formed(code) else None
    if row is not None:
        return Resolution(row)
    candidates = single_typo_candidates(code) if len(code) == CODE_LENGTH else []
    if not candidates:
        return Resolution()
    existing = db.session.scalars(
        select(Code.code).where(Code.code.in_(candidates), Code.retired_dt.is_(None))
    )
    return Resolution(suggestions=sorted(existing))
