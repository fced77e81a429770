"""Sign-in and account forms (Flask-WTF: each carries a CSRF token)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms import PasswordField
from wtforms.validators import InputRequired
from wtforms.validators import Length

from guide.accounts.passwords import MAX_LENGTH


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[InputRequired(), Length(max=320)],
                       render_kw={"autocomplete": "username", "dir": "ltr"})
    # Longer than any allowed password, so a long one is refused as wrong, never cut (ASVS 6.2.8).
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=4 * MAX_LENGTH)],
                             render_kw={"autocomplete": "current-password"})
