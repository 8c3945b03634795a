"""The composition root: the one place that wires settings, database, services, delivery
and each front-end's app.

Runners, test harnesses and benchmarks all build a :class:`Runtime` and override what
they must (a clock, a policy, API base URLs, extra senders); nothing else constructs a
``ServiceContext`` for a front-end. The chat SDKs are imported only by the method that
builds their app, so the console starts without them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from core.catalogue import Catalogue
from core.clock import Clock, SystemClock
from core.delivery.engine import DeliveryEngine
from core.delivery.ports import Address, Sender
from core.delivery.ratelimit import Limit
from core.members import Platform
from core.notifications import Audience
from core.policy import Policy
from core.services.admin_settings import apply_admin_settings
from core.services.context import ServiceContext, random_token
from db.engine import make_engine, make_session_factory
from db.frontend_state import FrontEndStore
from db.migrate import migration_lock, upgrade
from db.unit_of_work import SqlAlchemyUnitOfWork

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp
    from telegram.ext import Application

Limits = Mapping[Platform, tuple[Limit | None, Limit | None, Limit | None]]


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    ctx: ServiceContext
    store: FrontEndStore

    @property
    def admins(self) -> frozenset[str]:
        return frozenset(self.settings.admins)

    def telegram_application(self) -> Application:  # type: ignore[type-arg]
        """The python-telegram-bot Application over these services (token and Bot API
        address from the settings)."""
        from bot.handlers.telegram.application import build_application

        token = self.settings.telegram_token
        if token is None:
            raise ValueError("no Telegram token is configured")
        return build_application(
            self.ctx,
            self.store,
            token.get_secret_value(),
            api_url=self.settings.telegram_api_url,
            admins=self.admins,
            concurrency=self.settings.telegram_concurrent_updates,
        )

    def slack_app(self) -> AsyncApp:
        """The Bolt app over these services (token, signing secret and Web API address
        from the settings)."""
        from bot.handlers.slack.app import build_slack_app

        token, secret = self.settings.slack_bot_token, self.settings.slack_signing_secret
        if token is None or secret is None:
            raise ValueError("no Slack bot token and signing secret are configured")
        return build_slack_app(
            self.ctx,
            self.store,
            token.get_secret_value(),
            secret.get_secret_value(),
            base_url=self.settings.slack_api_url,
            admins=self.admins,
            mentors_channel=self.settings.slack_mentors_channel,
            command=self.settings.slack_command,
            work_threads=self.settings.slack_work_threads,
        )

    def delivery(
        self,
        senders: Sequence[Sender],
        *,
        feeds: Mapping[Audience, Sequence[Address]] | None = None,
        limits: Limits | None = None,
        batch_size: int = 200,
    ) -> DeliveryEngine:
        """The delivery engine for these senders; the mentors' feeds and the platforms
        other processes serve come from the settings unless given."""
        from bot.worker import build_engine, feeds_from_settings, platforms_from_settings

        return build_engine(
            self.ctx,
            senders,
            feeds_from_settings(self.settings) if feeds is None else feeds,
            limits=limits,
            batch_size=batch_size,
            other_platforms=platforms_from_settings(self.settings),
        )

    def one_start_at_a_time(self) -> AbstractContextManager[None]:
        """Held while a process sets up shared rows on start (the console's demo cast), so
        bots starting at once on a fresh database do it one after the other: the later
        ones find it done. (Unheld, two console bots both created the cast, and one failed
        with "That overlaps your window".) The migration's advisory lock, on PostgreSQL."""
        return migration_lock(self.settings.database_url)

    def close(self) -> None:
        self.engine.dispose()


def build_runtime(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    migrate: bool = True,
    policy: Policy | None = None,
    catalogue: Catalogue | None = None,
    apply_admins: bool = True,
) -> Runtime:
    """Everything over the configured database, migrated first by default.

    ``MENTORBOT_ADMINS`` is applied to existing members here, once per start
    (:func:`core.services.admin_settings.apply_admin_settings`); the operator's one-off
    ``mentorbot admin …`` commands pass ``apply_admins=False``, because their shell's
    environment need not be the bot's and must not demote anyone.
    """
    settings = settings or Settings()
    if migrate:
        upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    ctx = ServiceContext(
        uow_factory=lambda: SqlAlchemyUnitOfWork(sessions),
        clock=clock or SystemClock(),
        catalogue=catalogue or Catalogue.load(settings.catalogue_path),
        policy=policy or settings.policy(),
        token_factory=random_token,
    )
    if apply_admins:
        apply_admin_settings(ctx, settings.admins)
    return Runtime(settings, engine, sessions, ctx, FrontEndStore(sessions))


# The name the CLI and older callers use.
App = Runtime
build_app = build_runtime
