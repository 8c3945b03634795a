"""Configuration from environment variables and an optional ``.env`` file.

Every knob has a default that works on a laptop with no server: SQLite in the current
directory, no tokens. ``DATABASE_URL`` is read without prefix because that is what
operators and hosting platforms already set.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, PositiveInt, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.config_values import check_database_url, check_link_template, split_list
from core.policy import Policy


class Settings(BaseSettings):
    # an empty variable (``DATABASE_URL=`` as a .env file often has it) counts as unset
    model_config = SettingsConfigDict(
        env_prefix="MENTORBOT_",
        env_file=".env",
        extra="ignore",
        env_nested_delimiter="__",
        env_ignore_empty=True,
    )

    database_url: str = Field(
        default="sqlite:///mentorbot.db",
        validation_alias=AliasChoices("DATABASE_URL", "MENTORBOT_DATABASE_URL"),
    )
    catalogue_path: Path | None = None
    # identities that are admins from the start, e.g. "console:admin", "telegram:12345",
    # "slack:T0123:U0456" (comma-separated or a JSON list in the environment)
    admins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    expiry_days: int = Field(default=7, ge=1, le=90)
    expiry_warning_hours: int = Field(default=48, ge=1)
    extension_days: int = Field(default=7, ge=1, le=90)
    horizon_days: int = Field(default=60, ge=1, le=365)
    max_active_requests: int = Field(default=5, ge=1)
    # minutes before a session (a JSON list or comma-separated), each at least 1
    reminder_offsets_minutes: Annotated[list[PositiveInt], NoDecode] = Field(
        default_factory=lambda: [24 * 60, 60]
    )
    min_notice_minutes: int = Field(default=120, ge=0)
    slot_step_minutes: int = Field(default=30, ge=5, le=240)
    meeting_link_template: str = "https://meet.jit.si/mentorbot-{token}"
    # also DM each new request to the approved mentors whose expertise tags it shares
    # (MENTORBOT_DM_MATCHING_MENTORS=false: the mentors' group/channel only)
    dm_matching_mentors: bool = True
    # how long a request addressed to one mentor is theirs alone to claim
    directed_exclusive_hours: int = Field(default=48, ge=1, le=24 * 30)

    telegram_token: SecretStr | None = None
    # the Bot API server (operators may run their own; tests run a fake one locally)
    telegram_api_url: str = "https://api.telegram.org"
    telegram_mentors_chat_id: str | None = None  # a group where request cards are posted
    telegram_webhook_secret: SecretStr | None = None
    # updates of different people handled at once (one person's always in order); past
    # ~16 the benchmark gains little throughput and much latency on a small machine
    telegram_concurrent_updates: int = Field(default=16, ge=1, le=256)
    # the bot's profile, set at start when it differs (bot.handlers.telegram.bot_profile):
    # shown in an empty chat ("What can this bot do?", up to 512 characters) and on the
    # profile page and in shared links (up to 120); checked in bot.config_check
    telegram_description: str = (
        "I arrange mentorship sessions. Ask for one with a short form (/request); a mentor "
        "claims it and offers times, you pick one, and both of you are reminded before it "
        "starts. Mentors apply with /become_mentor. Send /start to register and set your "
        "time zone."
    )
    telegram_short_description: str = (
        "Mentorship sessions: ask for one, a mentor claims it, and you pick a time."
    )
    tick_seconds: float = Field(default=5.0, gt=0)
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    # the Web API base URL (slack_sdk's base_url; tests run a fake one locally)
    slack_api_url: str = "https://slack.com/api/"
    slack_mentors_channel: str | None = None  # a channel id where request cards are posted
    slack_command: str = "/mentorship"
    # threads for Slack's work after an answer (saves, claims): few, so that the event
    # loop answering the next requests is not starved of the GIL (bot.handlers.slack.common)
    slack_work_threads: int = Field(default=2, ge=1, le=32)
    # the largest body either HTTP endpoint (Telegram webhook, Slack HTTP mode) reads;
    # a larger one gets 413 (Telegram's and Slack's own payloads are far smaller)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024, le=64 * 1024 * 1024)
    # /healthz, /readyz and /metrics (bot.ops.health_server) in every long-running mode;
    # 0 turns them off. 127.0.0.1 by default: metrics are not for the public internet.
    metrics_port: int = Field(default=9100, ge=0, le=65535)
    metrics_host: str = "127.0.0.1"
    # on SIGTERM or SIGINT, how long a process may take to finish its work (a second
    # signal exits at once)
    shutdown_seconds: float = Field(default=10.0, gt=0, le=300)
    # "json": one JSON object per log line (level, logger, event, update and person ids);
    # "text" (the default) for a terminal
    log_format: Literal["text", "json"] = "text"

    @field_validator("admins", "reminder_offsets_minutes", mode="before")
    @classmethod
    def _lists(cls, value: object) -> object:
        return split_list(value)

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return check_database_url(value)

    @field_validator("meeting_link_template")
    @classmethod
    def _meeting_link(cls, value: str) -> str:
        return check_link_template(value)

    def policy(self) -> Policy:
        return Policy(
            expiry_after=timedelta(days=self.expiry_days),
            expiry_warning_before=timedelta(hours=self.expiry_warning_hours),
            extension=timedelta(days=self.extension_days),
            horizon_days=self.horizon_days,
            max_active_requests=self.max_active_requests,
            reminder_offsets=tuple(
                timedelta(minutes=m) for m in sorted(self.reminder_offsets_minutes, reverse=True)
            ),
            min_notice=timedelta(minutes=self.min_notice_minutes),
            slot_step=timedelta(minutes=self.slot_step_minutes),
            meeting_link_template=self.meeting_link_template,
            dm_matching_mentors=self.dm_matching_mentors,
            directed_exclusive_for=timedelta(hours=self.directed_exclusive_hours),
        )
