"""The second factor: TOTP (RFC 6238, pyotp) and one-time recovery codes."""

import base64
import hashlib
import hmac
import secrets
import time

import pyotp
import qrcode
import qrcode.image.svg
from sqlalchemy import delete
from sqlalchemy import select

from guide.accounts.models import RecoveryCode
from guide.accounts.models import User
from guide.extensions import db
from guide.timeutil import now_utc

ISSUER = "Dalil"
RECOVERY_CODES = 10
# One step either side: a phone clock 30 s off still works.
VALID_WINDOW = 1
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_secret() -> str:
    """Return a fresh base32 secret (160 bits, as RFC 4226 recommends)."""
    return pyotp.random_base32(32)


def provisioning_uri(user: User) -> str:
    """Return the otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_data_uri(text: str) -> str:
    """Draw text as a QR code in SVG, as a data: URI (the CSP allows data: images, not inline SVG styles)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=4)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


def _digits(code: str) -> str:
    return "".join(c for c in code if not c.isspace())


def check_code(user: User, code: str, at: float | None = None) -> bool:
    """Accept a current TOTP code once: a code of a time step already used is refused (replay)."""
    code = _digits(code or "")
    if not user.totp_secret or len(code) != 6 or not code.isascii() or not code.isdigit():
        return False
    totp = pyotp.TOTP(user.totp_secret)
    moment = time.time() if at is None else at
    step = int(moment // totp.interval)
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        candidate = step + offset
        if user.totp_last_step is not None and candidate <= user.totp_last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            user.totp_last_step = candidate
            return True
    return False


def _hash_recovery(code: str) -> str:
    # Recovery codes are random (50 bits), so a plain sha256 is as good as a slow hash here.
    return hashlib.sha256(normalize_recovery(code).encode()).hexdigest()


def normalize_recovery(code: str) -> str:
    """Fold a typed recovery code: case, spaces and dashes do not matter."""
    return "".join(c for c in (code or "").casefold() if c.isalnum())


def looks_like_recovery(code: str) -> bool:
    """Tell a recovery code (ten letters and digits) from a TOTP code (six digits)."""
    folded = normalize_recovery(code)
    return len(folded) == 10 and folded.isascii()


def new_recovery_codes(user: User) -> list[str]:
    """Replace user's recovery codes with fresh ones and return them, to be shown once. The caller commits."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash_recovery(raw)))
    db.session.flush()
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """Spend one unused recovery code of user; False if it is unknown or already used. The caller commits."""
    if not looks_like_recovery(code):
        return False
    row = db.session.scalar(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash_recovery(code),
        RecoveryCode.used_dt.is_(None),
    ))
    if row is None:
        return False
    row.used_dt = now_utc()
    db.session.flush()
    return True


def recovery_codes_left(user: User) -> int:
    """Count user's unused recovery codes."""
    return len(list(db.session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_dt.is_(None)))))


def start_enrolment(user: User) -> None:
    """Give user a pending secret (kept across reloads until confirmed). The caller commits."""
    if not user.totp_confirmed and not user.totp_secret:
        user.totp_secret = new_secret()
        user.totp_last_step = None
        db.session.flush()


def confirm_enrolment(user: User, code: str) -> list[str] | None:
    """Switch the second factor on if code matches the pending secret; return the new recovery codes."""
    if user.totp_confirmed or not user.totp_secret or not check_code(user, code):
        return None
    user.totp_confirmed = True
    return new_recovery_codes(user)


def remove_second_factor(user: User) -> None:
    """Switch the second factor off and forget its secret and recovery codes. The caller commits."""
    user.totp_secret = None
    user.totp_confirmed = False
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()
