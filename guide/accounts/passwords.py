"""Passwords per OWASP ASVS 5.0: 12 to 128 characters, no composition rules, common ones refused, argon2id."""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from flask_babel import gettext as _

MIN_LENGTH = 12
MAX_LENGTH = 128
# RFC 9106's second recommended option (64 MiB, 3 passes, 4 lanes): above ASVS's 46 MiB floor.
HASHER = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4)


class PasswordError(ValueError):
    """A password the policy refuses; the message is translated for the curator."""


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords, shipped with zxcvbn (no network)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def check_policy(password: str, email: str = "") -> None:
    """Refuse a password that is too short, too long, common or the account's own email."""
    length = len(password)
    if length < MIN_LENGTH:
        raise PasswordError(_("The password must have at least %(count)d characters.", count=MIN_LENGTH))
    if length > MAX_LENGTH:
        raise PasswordError(_("The password must have at most %(count)d characters.", count=MAX_LENGTH))
    folded = password.casefold()
    if folded in common_passwords() or (email and folded == email.casefold()):
        raise PasswordError(_("This password is among the most common ones; choose another."))


def hash_password(password: str) -> str:
    """Hash with argon2id; the parameters travel in the hash, so they can be raised later."""
    return HASHER.hash(password)


def verify_password(stored: str, password: str) -> bool:
    """Check a password against its hash, in constant time; False for a malformed hash."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Tell whether a hash was made with weaker parameters than today's."""
    return HASHER.check_needs_rehash(stored)


@cache
def dummy_hash() -> str:
    """A hash to verify against when the email is unknown, so the answer's timing does not tell."""
    return HASHER.hash("dalil-not-a-password")
