"""State the chat front-ends keep beside the domain: conversations in progress, updates
already handled, and where each request's card was posted.

Every write is its own short transaction and is committed at once, so a crash loses at
most the update being handled, never a half-filled form (python-telegram-bot's own
persistence flushes only every 60 s by default).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from db.frontend_batch_pg import BatchOutcome, run_batch
from db.models import ConversationStateRow, FeedPostRow, IdempotencyKeyRow

DM_PREFIX = "dm:"  # feed_posts rows of cards sent by DM, not to a feed chat


@dataclass(frozen=True)
class UpdateStart:
    """The start of handling one platform update: claim its idempotency key and read the
    conversation rows of the person it comes from, in one round trip."""

    update_key: str
    state_keys: tuple[str, ...]


@dataclass(frozen=True)
class UpdateStarted:
    first_time: bool
    states: dict[str, dict[str, Any]]  # only the keys that have a stored row
    versions: dict[str, int] = field(default_factory=dict)  # of those rows


@dataclass(frozen=True)
class BatchResult:
    started: list[UpdateStarted]
    # keys whose write was refused: the row was no longer at the version the writer
    # read (another process wrote it meanwhile); the rest of the batch is committed
    conflicts: frozenset[str] = frozenset()


class FrontEndStore:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = session_factory

    def _insert(self, session: Session) -> Any:
        return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert

    def load(self, key: str) -> dict[str, Any] | None:
        with self._sessions() as session:
            row = session.get(ConversationStateRow, key)
            return None if row is None else dict(row.value)

    def load_prefix(self, prefix: str) -> dict[str, dict[str, Any]]:
        with self._sessions() as session:
            rows = session.scalars(
                select(ConversationStateRow).where(ConversationStateRow.key.startswith(prefix))
            )
            return {row.key: dict(row.value) for row in rows}

    # One write path: the single-row forms below are batches of one.
    def save(self, key: str, value: dict[str, Any]) -> None:
        self.apply_batch({key: value}, [])

    def delete(self, key: str) -> None:
        self.apply_batch({key: None}, [])

    def first_time(self, key: str) -> bool:
        """True the first time ``key`` is seen: a repeated update or callback is ignored."""
        return self.apply_batch({}, [UpdateStart(key, ())]).started[0].first_time

    def apply_batch(
        self,
        writes: Mapping[str, dict[str, Any] | None],
        starts: Sequence[UpdateStart],
        expected: Mapping[str, int] | None = None,
    ) -> BatchResult:
        """Many concurrent updates' state work in one transaction (group commit).

        ``writes`` maps conversation keys to their new value (None deletes the row);
        ``expected`` gives, for some of them, the version the writer read: such a write
        happens only if the row is still at that version (compare-and-set), else its key
        is returned among the conflicts. ``starts`` claim update keys and read state rows
        with their versions. A key repeated within ``starts`` counts as seen for all but
        its first occurrence. Everything commits together or nothing does, and the
        caller hands a database error to every update in the batch."""
        now = datetime.now(UTC)
        expected = expected or {}
        update_keys = list(dict.fromkeys(start.update_key[:200] for start in starts))
        wanted = {key for start in starts for key in start.state_keys}
        engine = self._sessions.kw["bind"]
        if engine.dialect.name == "postgresql":
            # One statement is its own transaction: autocommit spares the BEGIN and
            # COMMIT round trips, and a plain connection the cost of a Session.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                outcome = run_batch(
                    lambda sql, params: connection.exec_driver_sql(sql, params),
                    writes,
                    update_keys,
                    wanted,
                    expected,
                    now,
                )
        else:
            with self._sessions.begin() as session:
                outcome = self._orm_batch(session, writes, update_keys, wanted, expected, now)
        if not starts:
            return BatchResult([], frozenset(outcome.conflicts))
        inserted, stored, versions = outcome.inserted, outcome.stored, outcome.versions
        results = []
        for start in starts:
            key = start.update_key[:200]
            first = key in inserted
            inserted.discard(key)  # a second copy in the same batch is a repeat
            states = {k: stored[k] for k in start.state_keys if k in stored}
            seen = {k: versions[k] for k in start.state_keys if k in versions}
            results.append(UpdateStarted(first, states, seen))
        return BatchResult(results, frozenset(outcome.conflicts))

    def _orm_batch(
        self,
        session: Session,
        writes: Mapping[str, dict[str, Any] | None],
        update_keys: list[str],
        wanted: set[str],
        expected: Mapping[str, int],
        now: datetime,
    ) -> BatchOutcome:
        """The batch statement by statement (SQLite), in the order a reader expects:
        writes first, then the keys claimed and the rows read."""
        # executemany with one cached statement each (SQLAlchemy's "insertmanyvalues"):
        # a multi-row VALUES list would be compiled anew for every batch size.
        connection = session.connection()
        insert = sqlite_insert
        outcome = BatchOutcome()
        checked = [
            {"key": key, "value": value, "updated_at": now, "version": expected[key] + 1}
            for key, value in writes.items()
            if value is not None and key in expected
        ]
        if checked:
            upsert = insert(ConversationStateRow)
            written = set(
                connection.execute(
                    upsert.on_conflict_do_update(
                        index_elements=[ConversationStateRow.key],
                        set_={
                            "value": upsert.excluded.value,
                            "updated_at": upsert.excluded.updated_at,
                            "version": upsert.excluded.version,
                        },
                        where=ConversationStateRow.version == upsert.excluded.version - 1,
                    ).returning(ConversationStateRow.key),
                    checked,
                ).scalars()
            )
            outcome.conflicts = {str(row["key"]) for row in checked} - written
        saves = [
            {"key": key, "value": value, "updated_at": now, "version": 1}
            for key, value in writes.items()
            if value is not None and key not in expected
        ]
        if saves:
            upsert = insert(ConversationStateRow)
            connection.execute(
                upsert.on_conflict_do_update(
                    index_elements=[ConversationStateRow.key],
                    set_={
                        "value": upsert.excluded.value,
                        "updated_at": upsert.excluded.updated_at,
                        "version": ConversationStateRow.version + 1,
                    },
                ),
                saves,
            )
        gone = [key for key, value in writes.items() if value is None]
        if gone:
            connection.execute(
                delete(ConversationStateRow).where(ConversationStateRow.key.in_(gone))
            )
        if update_keys:
            # the inserted keys come back through RETURNING: SQLAlchemy does not keep an
            # INSERT's rowcount, which made every update look repeated
            outcome.inserted = set(
                connection.execute(
                    insert(IdempotencyKeyRow)
                    .on_conflict_do_nothing(index_elements=[IdempotencyKeyRow.key])
                    .returning(IdempotencyKeyRow.key),
                    [{"key": key, "created_at": now} for key in update_keys],
                ).scalars()
            )
        if wanted:
            rows = connection.execute(
                select(
                    ConversationStateRow.key,
                    ConversationStateRow.value,
                    ConversationStateRow.version,
                ).where(ConversationStateRow.key.in_(wanted))
            )
            for key, value, version in rows:
                outcome.stored[key], outcome.versions[key] = dict(value), version
        return outcome

    def forget_handled(self, before: datetime, limit: int = 10_000) -> int:
        """Delete idempotency keys made before ``before`` (at most ``limit``), how many.

        Platforms repeat an update for a day at most (Telegram) or minutes (Slack), so
        an old key protects nothing; kept, the table would grow by a row per update."""
        with self._sessions.begin() as session:
            old = (
                select(IdempotencyKeyRow.key)
                .where(IdempotencyKeyRow.created_at < before)
                .limit(limit)
            )
            result = session.execute(
                delete(IdempotencyKeyRow)
                .where(IdempotencyKeyRow.key.in_(old))
                .execution_options(synchronize_session=False)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def feed_post(self, request_id: int, platform: str, chat_id: str) -> str | None:
        with self._sessions() as session:
            return session.scalar(
                select(FeedPostRow.message_ref).where(
                    FeedPostRow.request_id == request_id,
                    FeedPostRow.platform == platform,
                    FeedPostRow.chat_id == chat_id,
                )
            )

    def dm_cards(self, request_id: int, platform: str) -> list[tuple[str, str]]:
        """The request's cards sent by DM on ``platform`` (to matching and preferred
        mentors): (chat, message) pairs, so a card update can redraw them too."""
        with self._sessions() as session:
            rows = session.execute(
                select(FeedPostRow.chat_id, FeedPostRow.message_ref).where(
                    FeedPostRow.request_id == request_id,
                    FeedPostRow.platform == platform,
                    FeedPostRow.chat_id.startswith(DM_PREFIX),
                )
            )
            return [(chat[len(DM_PREFIX) :], ref) for chat, ref in rows]

    def remember_dm_card(self, request_id: int, platform: str, chat_id: str, ref: str) -> None:
        self.remember_feed_post(request_id, platform, DM_PREFIX + chat_id, ref)

    def remember_feed_post(
        self, request_id: int, platform: str, chat_id: str, message_ref: str
    ) -> None:
        """The latest card wins: after a re-announcement, updates edit the newest post."""
        with self._sessions.begin() as session:
            statement = self._insert(session)(FeedPostRow).values(
                request_id=request_id,
                platform=platform,
                chat_id=chat_id,
                message_ref=message_ref,
                created_at=datetime.now(UTC),
            )
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=[
                        FeedPostRow.request_id,
                        FeedPostRow.platform,
                        FeedPostRow.chat_id,
                    ],
                    set_={"message_ref": statement.excluded.message_ref},
                )
            )
