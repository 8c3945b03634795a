"""The ``mentorbot`` command. Heavy imports happen inside commands so ``--help`` is quick."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

UNCUT = 10_000  # click cuts a command's line in its group's list at ~45 characters


class FullHelpCommand(click.Command):
    """Its line in the group's list is the docstring's first sentence, whole (no "...")."""

    def get_short_help_str(self, limit: int = 45) -> str:
        return super().get_short_help_str(limit=UNCUT)


class FullHelpGroup(click.Group):
    """A group whose commands and subgroups are listed whole (``FullHelpCommand``)."""

    command_class = FullHelpCommand
    group_class: type[click.Group] | type[type] | None = type  # subgroups: the same class

    def get_short_help_str(self, limit: int = 45) -> str:
        return super().get_short_help_str(limit=UNCUT)


class OneLineGroup(FullHelpGroup):
    """Every command starts or fails in one line (``bot.cli_errors``): the settings and
    the catalogue are checked first (exit status 2 for a bad one), and an error becomes
    one line, unless ``--debug`` asks for the traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            if ctx.params.get("debug"):
                raise
            from bot.cli_errors import describe

            failure = describe(error, _database_url())
            for line in failure.lines:
                click.echo(f"mentorbot: {line}", err=True)
            sys.exit(failure.exit_code)

    group_class = FullHelpGroup  # only the top level turns errors into one line


def _database_url() -> str | None:
    """The configured database URL, for an error line (it is shown without password)."""
    import os

    return os.environ.get("DATABASE_URL") or os.environ.get("MENTORBOT_DATABASE_URL") or None


@click.group(
    cls=OneLineGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(
    package_name="mentorbot", prog_name="mentorbot", message="%(prog)s %(version)s"
)
@click.option("--debug", is_flag=True, help="Show the full traceback when a command fails.")
def main(debug: bool) -> None:
    """Mentorship sessions requested, claimed and scheduled from chat."""
    from bot.config_check import checked_settings

    checked_settings()  # every setting and the catalogue, before any command runs


@main.command()
def run() -> None:
    """Migrate the database, show the session catalogue and a status line."""
    from bot.status import print_status

    print_status()  # a failure is one line (OneLineGroup)


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


NO_WORKER = click.option(
    "--no-worker",
    is_flag=True,
    help="Handle updates only; `mentorbot worker` runs the scheduled work.",
)


@main.command()
def worker() -> None:
    """Run the scheduled work only: sweeps, and delivery to every platform with a token."""
    from bot.config import Settings
    from bot.worker_process import run_worker

    run_worker(Settings())


@main.command()
@click.option("--webhook", "webhook_url", default=None, help="Public HTTPS URL for a webhook.")
@click.option("--listen", default="127.0.0.1", show_default=True, help="Webhook listen address.")
@click.option("--port", default=8443, show_default=True, help="Webhook listen port.")
@NO_WORKER
def telegram(webhook_url: str | None, listen: str, port: int, no_worker: bool) -> None:
    """Run on Telegram: long polling, or a webhook (needs a secret token)."""
    from bot.config import Settings
    from bot.handlers.telegram.runner import run_telegram

    run_telegram(Settings(), webhook_url, listen, port, worker=not no_worker)


@main.group(invoke_without_command=True)
@click.option("--http", "http", is_flag=True, help="HTTP mode (Events API) instead of Socket Mode.")
@click.option("--host", default="127.0.0.1", show_default=True, help="HTTP listen address.")
@click.option("--port", default=3000, show_default=True, help="HTTP listen port.")
@NO_WORKER
def slack(http: bool, host: str, port: int, no_worker: bool) -> None:
    """Run on Slack: Socket Mode (app token), or HTTP mode with signed requests."""
    if click.get_current_context().invoked_subcommand is not None:
        return  # `mentorbot slack manifest`: the bot does not start
    from bot.config import Settings
    from bot.handlers.slack.runner import run_slack

    run_slack(Settings(), http, host, port, worker=not no_worker)


@slack.command("manifest")
@click.option("--url", default=None, help="The public https URL of `slack --http` (/slack/events).")
@click.option("--socket-mode", is_flag=True, help="For Socket Mode: no request URLs.")
@click.option("--name", default="Mentorship", show_default=True, help="The app's name in Slack.")
def slack_manifest(url: str | None, socket_mode: bool, name: str) -> None:
    """Print the Slack app manifest (JSON) to create the app from."""
    import json

    from bot.config import Settings
    from bot.handlers.slack.manifest import ManifestError, build_manifest

    try:
        manifest = build_manifest(
            url, socket_mode=socket_mode, command=Settings().slack_command, name=name
        )
    except ManifestError as error:
        raise click.UsageError(str(error)) from None
    click.echo(json.dumps(manifest, indent=2))


@main.group()
def admin() -> None:
    """Operator commands (no chat needed)."""


@admin.command("approve-mentor")
@click.argument("who")
def admin_approve(who: str) -> None:
    """Approve a mentor by member id or console name."""
    from bot.admin_cli import approve_mentor

    _refusable(approve_mentor, who)


@admin.command("grant")
@click.argument("who")
def admin_grant(who: str) -> None:
    """Make a member an admin (member id or console name); unlike MENTORBOT_ADMINS,
    this stays when the setting changes."""
    from bot.admin_cli import grant

    _refusable(grant, who)


@admin.command("stats")
def admin_stats_command() -> None:
    """Requests by status and type, claim rate, time to claim, completion, ratings."""
    from bot.admin_cli import stats

    click.echo(stats())


@admin.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option(
    "--output",
    "output",
    required=True,
    metavar="DIR",
    help="Folder for sessions.csv and requests.csv (or .json); created if missing.",
)
@click.option("--bom", is_flag=True, help="Start CSV files with a UTF-8 BOM (for spreadsheets).")
def admin_export(fmt: str, output: str, bom: bool) -> None:
    """Sessions (the seed's mentorship_sessions columns) and requests, every field,
    mentor notes included. CSV cells that begin with = + - @ get a leading ' so a
    spreadsheet does not run them; core.export.read_csv reads a file back exactly."""
    from bot.admin_cli import export

    _refusable(lambda: export(fmt, output, bom=bom))


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


def _refusable(command: Callable[..., str], *args: str) -> None:
    """An admin command's line on stdout; a refusal's (nothing done) on stderr, status 1."""
    from bot.admin_cli import Refused

    try:
        click.echo(command(*args))
    except Refused as refused:
        click.echo(str(refused), err=True)
        sys.exit(1)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    main()
