"""Append events to the audit log and read them back."""

from flask import has_request_context
from flask import request
from sqlalchemy import select

from guide.audit.models import AuditEvent
from guide.extensions import db

PAGE_SIZE = 50
# Keep log lines single and short: a crafted value must not forge another entry (ASVS 16.4.1).
_MAX_TEXT = 200


def client_address() -> str:
    """Return the client's address: REMOTE_ADDR, or the one the trusted proxies (PROXY_HOPS) saw."""
    from flask import current_app

    hops = current_app.config.get("PROXY_HOPS") or 0
    if hops:
        # Each trusted proxy appends what it saw; anything further left was written by the client.
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        if len(forwarded) >= hops and forwarded[-hops]:
            return forwarded[-hops][:64]
    return request.remote_addr or ""


def _clean(value: str) -> str:
    return "".join(c if c.isprintable() else " " for c in str(value))[:_MAX_TEXT]


def record(action: str, target: str = "", outcome: str = "ok", actor: str | None = None,
           ip: bool = False, **detail) -> AuditEvent:
    """Append an event; the actor defaults to the signed-in curator. The caller commits."""
    if actor is None:
        actor = _current_actor()
    event = AuditEvent(
        actor=_clean(actor), action=action, target=_clean(target), outcome=outcome,
        ip=_clean(client_address()) if ip and has_request_context() else "",
        detail={key: _clean(value) if isinstance(value, str) else value for key, value in detail.items()},
    )
    db.session.add(event)
    db.session.flush()
    return event


def record_now(action: str, target: str = "", outcome: str = "refused", **kwargs) -> None:
    """Append an event in its own transaction: a refusal is kept though the request's work is not."""
    event_fields = dict(action=action, target=target, outcome=outcome, **kwargs)
    db.session.rollback()
    record(**event_fields)
    db.session.commit()


def _current_actor() -> str:
    if not has_request_context():
        return "cli"
    from flask_login import current_user

    return current_user.email if current_user and current_user.is_authenticated else ""


def list_events(page: int = 1, actor: str = "", action: str = "", outcome: str = "",
                page_size: int = PAGE_SIZE) -> tuple[list[AuditEvent], bool]:
    """Return a page of events, newest first, filtered; and whether an older page exists."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if actor:
        # Emails are stored folded; the filter is folded the same way.
        from guide.accounts.services import normalize_email

        query = query.where(AuditEvent.actor == normalize_email(actor))
    if action:
        query = query.where(AuditEvent.action.startswith(action, autoescape=True))
    if outcome:
        query = query.where(AuditEvent.outcome == outcome)
    rows = list(db.session.scalars(query.offset((page - 1) * page_size).limit(page_size + 1)))
    return rows[:page_size], len(rows) > page_size
