"""The CMS form that uploads a content archive (Flask-WTF: it carries a CSRF token)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from wtforms import BooleanField


class ImportForm(FlaskForm):
    archive = FileField(_l("Zip archive in the content format"), validators=[FileRequired(_l("Choose a zip file."))],
                        render_kw={"accept": ".zip,application/zip"})
    overwrite = BooleanField(_l("Replace records changed in the CMS since their last import"))
    draft = BooleanField(_l("Import as drafts, without publishing"))
