"""flask search-reindex: rebuild the search index from what is published."""

import click
from flask.cli import with_appcontext

from guide.extensions import db
from guide.search.services import reindex_all


@click.command("search-reindex")
@with_appcontext
def search_reindex_command():
    """Rebuild the search index of every monument from its public rows (after upgrading, or to repair it)."""
    count = reindex_all()
    db.session.commit()
    click.echo(f"Indexed {count} monuments.")


commands = (search_reindex_command,)
