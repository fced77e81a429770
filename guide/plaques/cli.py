"""flask labels: print the plaques of codes, a monument or a whole site."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from guide.codes.services import CodeError
from guide.plaques.layouts import LAYOUTS
from guide.plaques.layouts import PAPERS


@click.command("labels")
@click.option("--site", help="Every code of this site (slug).")
@click.option("--monument", help="Every code of this monument and its stops (slug).")
@click.option("--code", "codes", multiple=True, help="One code; repeat for more.")
@click.option("--layout", type=click.Choice(LAYOUTS), default="sheet", show_default=True,
              help="sheet: A4 pages of 8 stickers; plaque: one plaque a page.")
@click.option("--paper", type=click.Choice(tuple(PAPERS)), default="a6", show_default=True,
              help="Plaque size, for --layout plaque.")
@click.option("--format", "file_format", type=click.Choice(("pdf", "png")),
              help="Default: from the output's extension, else pdf.")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def labels_command(site, monument, codes, layout, paper, file_format, output: Path):
    """Print the plaques of codes, a monument or a whole site, as PDF or 300 dpi PNG."""
    if not (site or monument or codes):
        raise click.UsageError("Give --site, --monument or --code.")
    file_format = file_format or ("png" if output.suffix.lower() == ".png" else "pdf")
    # Imported here: the app registers this command at start-up, and the PDF stack (fpdf,
    # fontTools) must stay out of every web worker.
    from guide.plaques.labels import LabelError
    from guide.plaques.services import export_labels

    try:
        files, count, guidance = export_labels(site, monument, codes, layout, paper, file_format)
    except (CodeError, LabelError) as error:
        raise click.ClickException(str(error)) from None
    written = []
    for index, blob in enumerate(files, start=1):
        path = output if len(files) == 1 else output.with_name(f"{output.stem}-{index:02d}{output.suffix}")
        path.write_bytes(blob)
        written.append(str(path))
    click.echo(f"{count} plaque(s) written to {', '.join(written)}")
    click.echo(guidance)


commands = (labels_command,)
