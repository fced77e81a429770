"""flask translate: Babel's extract, update, compile and check, with options from setup.cfg."""

import configparser
import tempfile
from pathlib import Path

import click
from babel.messages import frontend
from babel.messages.pofile import read_po

from guide.config import PROJECT_ROOT

SETUP_CFG = PROJECT_ROOT / "setup.cfg"


def _options(section: str) -> dict[str, str]:
    parser = configparser.ConfigParser()
    parser.read(SETUP_CFG)
    return dict(parser[section]) if parser.has_section(section) else {}


def run_babel(command_class, section: str, **overrides) -> None:
    """Run one Babel command in-process, as `pybabel` would, from its setup.cfg section."""
    command = command_class()
    command.initialize_options()
    for key, value in {**_options(section), **overrides}.items():
        option = key.replace("-", "_")
        if value in ("True", "False"):
            value = value == "True"
        elif option in ("mapping_file", "output_file", "input_file", "output_dir", "directory"):
            value = str(PROJECT_ROOT / value)
        elif option == "input_paths":
            value = [str(PROJECT_ROOT / path) for path in value.split()]
        setattr(command, option, value)
    command.finalize_options()
    status = command.run()
    if status:
        raise click.ClickException(f"{command_class.__name__} failed")


def catalog_languages() -> list[str]:
    """List the languages that have a catalog in translations/."""
    return sorted(p.parent.parent.name for p in (PROJECT_ROOT / "translations").glob("*/LC_MESSAGES/messages.po"))


def untranslated(pot_path: Path, lang: str) -> list[str]:
    """Return the template's messages that a catalog lacks or leaves empty or fuzzy."""
    with pot_path.open("rb") as handle:
        template = read_po(handle)
    po_path = PROJECT_ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    missing = []
    for message in template:
        if not message.id:
            continue
        entry = catalog.get(message.id)
        strings = entry.string if entry else None
        complete = all(strings) if isinstance(strings, tuple) else bool(strings)
        if entry is None or entry.fuzzy or not complete:
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


@click.group("translate")
def translate_command():
    """Extract, update, compile and check the translation catalogs."""


@translate_command.command("extract")
def extract():
    """Write translations/messages.pot from the code and templates."""
    run_babel(frontend.ExtractMessages, "extract_messages")


@translate_command.command("update")
def update():
    """Extract, then merge new messages into every catalog."""
    run_babel(frontend.ExtractMessages, "extract_messages")
    run_babel(frontend.UpdateCatalog, "update_catalog")


@translate_command.command("init")
@click.argument("lang")
def init(lang: str):
    """Start a catalog for a new language (say zgh or en)."""
    run_babel(frontend.ExtractMessages, "extract_messages")
    run_babel(frontend.InitCatalog, "init_catalog", locale=lang)


@translate_command.command("compile")
def compile_():
    """Compile every catalog to the .mo files the app reads."""
    run_babel(frontend.CompileCatalog, "compile_catalog")


@translate_command.command("check")
def check():
    """Fail if any catalog misses a message of the current code, or translates it as fuzzy."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        run_babel(frontend.ExtractMessages, "extract_messages", output_file=str(pot))
        problems = {lang: untranslated(pot, lang) for lang in catalog_languages()}
    for lang, missing in problems.items():
        for message_id in missing:
            click.echo(f"{lang}: untranslated: {message_id!r}", err=True)
    if any(problems.values()):
        raise click.ClickException("Catalogs are out of date: run `flask --app guide translate update`.")
    click.echo(f"Catalogs complete: {', '.join(problems)}.")
