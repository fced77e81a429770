"""Sign-in throttling with Flask-Limiter: per client address and per account, each breach logged."""

from flask import current_app
from flask import request

from guide.audit.services import client_address
from guide.audit.services import record
from guide.extensions import db
from guide.extensions import limiter


def _account_key() -> str:
    # The typed email, folded like accounts are: "Curator@" and "ｃurator@" share one counter.
    from guide.accounts.services import normalize_email

    return "account:" + normalize_email(request.form.get("email", ""))[:320]


def _pending_account_key() -> str:
    from guide.accounts.sessions import pending_record

    pending = pending_record()
    return "account:" + (pending.user.email if pending is not None else "-")


def _throttled(request_limit) -> None:
    """Log a refused attempt; Flask-Limiter then answers 429 (a translated page, Retry-After kept)."""
    db.session.rollback()
    if request.endpoint == "accounts.login":
        target = _account_key().removeprefix("account:")
    else:
        target = _pending_account_key().removeprefix("account:")
    action = "login" if request.endpoint == "accounts.login" else "login.code"
    record(action, target, "refused", actor="", ip=True, reason="throttled", limit=str(request_limit.limit))
    db.session.commit()


def _per_ip() -> str:
    return current_app.config["LOGIN_LIMIT_PER_IP"]


def _per_account() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]


def sign_in_limits(key_func):
    """Decorate a sign-in view: every POST counts, per client address and per account (key_func)."""

    def decorate(view):
        view = limiter.limit(_per_account, key_func=key_func, methods=["POST"], on_breach=_throttled)(view)
        return limiter.limit(_per_ip, key_func=client_address, methods=["POST"], on_breach=_throttled)(view)

    return decorate


password_limits = sign_in_limits(_account_key)
code_limits = sign_in_limits(_pending_account_key)
