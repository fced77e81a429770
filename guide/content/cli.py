"""flask init-db, load-content, export-content and new-code."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select

from guide.codes.format import new_code
from guide.codes.models import Code
from guide.content.export import ExportError
from guide.content.export import export_content
from guide.content.scale import generate_scale
from guide.content.services import ContentError
from guide.content.services import load_content
from guide.extensions import db
from guide.search.services import index_if_empty


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create the database schema, or upgrade it to the latest migration."""
    upgrade()
    # A database upgraded from before search holds public monuments but no index yet.
    indexed = index_if_empty()
    db.session.commit()
    if indexed is not None:
        click.echo(f"Search index built: {indexed} monuments.")
    click.echo("Database schema is up to date.")


@click.command("load-content")
@with_appcontext
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--overwrite", is_flag=True, help="Replace records changed in the database since their last import.")
@click.option("--draft", is_flag=True, help="Save what changed as drafts, without publishing it.")
def load_content_command(directory: Path | None, overwrite: bool, draft: bool):
    """Load sites and monuments from DIRECTORY (default: content/), idempotently."""
    root = directory or Path(current_app.config["CONTENT_DIR"])
    try:
        report = load_content(root, overwrite=overwrite, draft=draft)
    except ContentError as error:
        db.session.rollback()
        for problem in error.problems:
            click.echo(problem, err=True)
        raise click.ClickException(f"{len(error.problems)} problem(s) in {root}; nothing was loaded.") from None
    db.session.commit()
    for label in report.created:
        click.echo(f"created  {label}")
    for label in report.updated:
        click.echo(f"updated  {label}")
    click.echo(
        f"{len(report.created)} created, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged."
    )


@click.command("export-content")
@with_appcontext
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--site", "site_slug", help="Only this site (slug).")
def export_content_command(directory: Path, site_slug: str | None):
    """Write the published sites and monuments, their media and codes to DIRECTORY."""
    try:
        written = export_content(directory, site_slug)
    except ExportError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{len(written)} file(s) written to {directory}.")


@click.command("new-code")
@with_appcontext
@click.option("--count", default=1, show_default=True, type=click.IntRange(1, 1000))
def new_code_command(count: int):
    """Print fresh plaque codes that no plaque has ever carried."""
    taken = set(db.session.scalars(select(Code.code)))
    for _attempt in range(count):
        code = new_code(taken)
        taken.add(code)
        click.echo(code)


@click.command("generate-scale")
@with_appcontext
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--monuments", default=10_000, show_default=True, type=click.IntRange(1, 50_000))
@click.option("--seed", default=1, show_default=True, type=int)
def generate_scale_command(directory: Path, monuments: int, seed: int):
    """Write a synthetic dataset of MONUMENTS monuments in ar, fr and en across the sample sites."""
    try:
        report = generate_scale(directory, Path(current_app.config["CONTENT_DIR"]), monuments, seed)
    except FileExistsError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{report.monuments} monuments, {report.stops} stops, {report.codes} codes in "
               f"{report.sites} sites: {report.files} files written to {directory}. Load them with "
               f"DALIL_EXTRA_LANGUAGES=en flask --app guide load-content {directory}")


commands = (init_db_command, load_content_command, export_content_command, new_code_command,
            generate_scale_command)
