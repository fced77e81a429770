"""flask export-static DIR [--site SLUG]: the public guide as files for nginx or a CDN."""

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from guide.export.services import ExportError
from guide.export.services import export_static


@click.command("export-static")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--site", "site_slug", default=None, help="Export only this site, with the shared app files.")
@with_appcontext
def export_static_command(directory: Path, site_slug: str | None) -> None:
    """Write every published page, code, API document, pack and media file under DIRECTORY."""
    try:
        summary = export_static(directory, site_slug)
    except ExportError as error:
        raise click.ClickException(str(error)) from None
    click.echo(_("%(written)d written, %(unchanged)d unchanged, %(removed)d removed.",
                 written=len(summary.written), unchanged=len(summary.unchanged), removed=len(summary.removed)))


commands = (export_static_command,)
