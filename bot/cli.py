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


@main.command()
@click.option("--demo", is_flag=True, help="Seed demo people (done anyway on an empty database).")
@click.option(
    "--script",
    "script",
    type=click.Path(exists=True, dir_okay=False),
    help="Run the lines of FILE as if typed, printing the transcript.",
)
def console(demo: bool, script: str | None) -> None:
    """The whole product in the terminal: act as students, mentors and admins."""
    from bot.handlers.console.runner import run_console, script_lines

    lines = script_lines(script)
    sys.exit(run_console(lines, demo=demo, echo=lines is not None))


@main.command()
@click.option("--webhook", "webhook_url", default=None, help="Public HTTPS URL for a webhook.")
@click.option("--listen", default="127.0.0.1", show_default=True, help="Webhook listen address.")
@click.option("--port", default=8443, show_default=True, help="Webhook listen port.")
def telegram(webhook_url: str | None, listen: str, port: int) -> None:
    """Run on Telegram: long polling, or a webhook (needs a secret token)."""
    from bot.config import Settings
    from bot.handlers.telegram.runner import run_telegram

    run_telegram(Settings(), webhook_url, listen, port)


@main.command()
@click.option("--http", "http", is_flag=True, help="HTTP mode (Events API) instead of Socket Mode.")
@click.option("--host", default="127.0.0.1", show_default=True, help="HTTP listen address.")
@click.option("--port", default=3000, show_default=True, help="HTTP listen port.")
def slack(http: bool, host: str, port: int) -> None:
    """Run on Slack: Socket Mode (app token), or HTTP mode with signed requests."""
    from bot.config import Settings
    from bot.handlers.slack.runner import run_slack

    run_slack(Settings(), http, host, port)


@main.group()
def admin() -> None:
    """Operator commands (no chat needed)."""


@admin.command("approve-mentor")
@click.argument("who")
def admin_approve(who: str) -> None:
    """Approve a mentor by member id or console name."""
    from bot.admin_cli import approve_mentor

    click.echo(approve_mentor(who))


@admin.command("stats")
def admin_stats_command() -> None:
    """Requests by status and type, claim rate, time to claim, completion, ratings."""
    from bot.admin_cli import stats

    click.echo(stats())


@admin.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv"]), default="csv", show_default=True)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Folder-less file prefix; default: print both tables to standard output.",
)
def admin_export(fmt: str, output: str | None) -> None:
    """Requests and sessions with every field, mentor notes included (admins only)."""
    from bot.admin_cli import export_csv

    click.echo(export_csv(output), nl=False)


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
