"""What ``mentorbot run`` prints until the console front-end exists."""

from __future__ import annotations

import click
from sqlalchemy.engine import make_url

from bot.bootstrap import build_app
from core.catalogue import Catalogue
from core.lifecycle import RequestStatus


def describe_catalogue(catalogue: Catalogue) -> str:
    lines = ["Session types:"]
    for group in catalogue.groups:
        limit = "unlimited" if group.limit is None else f"{group.limit} per student"
        lines.append(f"  {group.label} ({limit})")
        for session_type in catalogue.types:
            if session_type.group == group:
                extras = ", ".join(f.name for f in session_type.extra_fields)
                suffix = f" [asks: {extras}]" if extras else ""
                lines.append(
                    f"    {session_type.code:<20} {session_type.describe()}, "
                    f"{session_type.default_duration} min{suffix}"
                )
    return "\n".join(lines)


def print_status() -> None:
    app = build_app()
    try:
        with app.ctx.uow_factory() as uow:
            requests = uow.requests.all()
            mentors = uow.mentors.list_profiles()
        from db.migrate import current

        revision = current(app.settings.database_url)
        click.echo(describe_catalogue(app.ctx.catalogue))
        open_count = sum(1 for r in requests if r.status == RequestStatus.OPEN)
        url = make_url(app.settings.database_url).render_as_string(hide_password=True)
        click.echo(
            f"mentorbot ready: database {url} at revision {revision}; "
            f"{len(app.ctx.catalogue.types)} session types, {len(mentors)} mentors, "
            f"{open_count} open of {len(requests)} requests."
        )
    finally:
        app.close()
