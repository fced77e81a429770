"""flask init-db, load-content and new-code."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select

from guide.codes.format import new_code
from guide.codes.models import Code
from guide.content.services import ContentError
from guide.content.services import load_content
from guide.extensions import db


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create the database schema, or upgrade it to the latest migration."""
    upgrade()
    click.echo("Database schema is up to date.")


@click.command("load-content")
@with_appcontext
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def load_content_command(directory: Path | None):
    """Load sites and monuments from DIRECTORY (default: content/), idempotently."""
    root = directory or Path(current_app.config["CONTENT_DIR"])
    try:
        report = load_content(root)
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


commands = (init_db_command, load_content_command, new_code_command)
