"""The ``mentorbot`` command. Heavy imports happen inside commands so ``--help`` is quick."""

from __future__ import annotations

import sys

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Mentorship sessions requested, claimed and scheduled from chat."""


@main.command()
def run() -> None:
    """Migrate the database, show the session catalogue and a status line."""
    from bot.status import print_status

    try:
        print_status()
    except Exception as exc:  # the operator sees one clear line, not a traceback
        click.echo(f"mentorbot could not start: {exc}", err=True)
        sys.exit(1)


@main.group()
def db() -> None:
    """Database commands."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def db_upgrade(revision: str) -> None:
    """Create or migrate the database schema (Alembic)."""
    from bot.config import Settings
    from db.migrate import upgrade

    settings = Settings()
    upgrade(settings.database_url, revision)
    click.echo(f"database at {revision}: {_safe_url(settings.database_url)}")


@db.command("current")
def db_current() -> None:
    """Print the schema revision the database is at."""
    from bot.config import Settings
    from db.migrate import current

    click.echo(current(Settings().database_url) or "not migrated")


@main.command()
def catalogue() -> None:
    """List the configured session types, their groups and limits."""
    from bot.config import Settings
    from bot.status import describe_catalogue
    from core.catalogue import Catalogue

    click.echo(describe_catalogue(Catalogue.load(Settings().catalogue_path)))


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    main()
