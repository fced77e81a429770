"""Sign-in and account forms (Flask-WTF: each carries a CSRF token)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms import PasswordField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput
from wtforms.widgets import ListWidget

from guide.accounts.passwords import MAX_LENGTH

REQUIRED = _l("This field is required.")
LONG_TEXT = _l("This text is too long.")
# Longer than any allowed password, so a long one is refused as wrong, never cut (ASVS 6.2.8);
# far shorter than a form field may be, so a megabyte is refused here, before argon2 sees it.
TOO_LONG = _l("The password must have at most %(count)d characters.", count=MAX_LENGTH)


def _password(label, autocomplete: str, limit: int = 4 * MAX_LENGTH):
    return PasswordField(label, validators=[InputRequired(REQUIRED), Length(max=limit, message=TOO_LONG)],
                         render_kw={"autocomplete": autocomplete})


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[InputRequired(REQUIRED), Length(max=320, message=LONG_TEXT)],
                       render_kw={"autocomplete": "username", "dir": "ltr"})
    password = _password(_l("Password"), "current-password")


class CodeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[InputRequired(REQUIRED), Length(max=32, message=LONG_TEXT)],
                       render_kw={"autocomplete": "one-time-code", "dir": "ltr", "spellcheck": "false",
                                  "autocapitalize": "off"})


class PasswordChangeForm(FlaskForm):
    current_password = _password(_l("Current password"), "current-password")
    new_password = _password(_l("New password"), "new-password", MAX_LENGTH)
    new_password_again = _password(_l("New password, again"), "new-password", MAX_LENGTH)


class ReauthForm(FlaskForm):
    password = _password(_l("Your password"), "current-password")


class DisableSecondFactorForm(FlaskForm):
    password = _password(_l("Your password"), "current-password")
    code = CodeForm.code


class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(FlaskForm):
    """An account as an admin edits it; choices are filled by the view, checked by the service."""

    name = StringField(_l("Name"), validators=[Length(max=200, message=LONG_TEXT)])
    role = SelectField(_l("Role"), validate_choice=False)
    sites = _Checkboxes(_l("Sites"), validate_choice=False)
    languages = _Checkboxes(_l("Languages (translators)"), validate_choice=False)


class NewUserForm(UserForm):
    email = EmailField(_l("Email"), validators=[InputRequired(REQUIRED), Length(max=320, message=LONG_TEXT)],
                       render_kw={"autocomplete": "off", "dir": "ltr"})
    password = _password(_l("Initial password"), "new-password", MAX_LENGTH)


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
