"""Flask's signed-cookie sessions, with the signing serializer built once per app."""

from flask import Flask
from flask.sessions import SecureCookieSessionInterface


class CookieSessions(SecureCookieSessionInterface):
    """Flask builds a new itsdangerous serializer on every request; the keys never change."""

    def get_signing_serializer(self, app: Flask):
        cached = app.extensions.get("dalil_session_serializer")
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if cached is None or cached[0] != keys:
            cached = (keys, super().get_signing_serializer(app))
            app.extensions["dalil_session_serializer"] = cached
        return cached[1]

    def save_session(self, app: Flask, session, response) -> None:
        # Most requests (every scan) carry no session: nothing to write, nor to vary on, so the
        # cookie's settings need not be looked up. Flask-Login reads the session after every
        # request; an empty session it only read must not add "Vary: Cookie" to public pages.
        if not session and not session.modified:
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    """Use the caching session interface."""
    app.session_interface = CookieSessions()
