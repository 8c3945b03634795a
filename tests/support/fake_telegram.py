"""A fake Telegram Bot API server for end-to-end tests: aiohttp on 127.0.0.1.

The real python-telegram-bot ``Application`` talks to it over real HTTP (``base_url``).
It answers the methods the bot uses, records every call (method, parameters, chat, time),
numbers messages per chat, queues updates for ``getUpdates`` (long polling, with
Telegram's offset confirmation) or POSTs them to a webhook (with the secret token header,
as Telegram does), and can answer 429 (``parameters.retry_after``), 403 (blocked) or
enforce a per-chat message limit.

Every outgoing payload is checked against the Bot API's limits (text 1-4096 UTF-16 units,
callback_data 1-64 bytes, keyboard shape, answerCallbackQuery text <= 200 and one answer
per query); a breach is answered with Telegram's 400 *and* listed in ``violations``, which
the test fixtures assert empty, so a bot that would be refused by Telegram fails the test.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import aiohttp
from aiohttp import web

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
ANSWER_TEXT_LIMIT = 200
BUTTONS_PER_ROW = 8
BUTTONS_TOTAL = 100


def utf16_units(text: str) -> int:
    """Telegram counts a text's length in UTF-16 code units: an emoji such as 😀 is 2."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


# parameters whose value PTB sends JSON-encoded (strings are sent as they are)
JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "commands",
        "allowed_updates",
        "scope",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "show_alert",
        "disable_notification",
        "protect_content",
        "drop_pending_updates",
        "disable_web_page_preview",
        "cache_time",
        "max_connections",
        "offset",
        "limit",
        "timeout",
        "message_id",
        "message_thread_id",
    }
)
COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
DESCRIPTION_LIMIT = 512  # setMyDescription
SHORT_DESCRIPTION_LIMIT = 120  # setMyShortDescription
SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
COMMAND_METHODS = frozenset({"getMyCommands", "setMyCommands", "deleteMyCommands"})
ScopeKey = tuple[str, int | str | None]
SEND_METHODS = frozenset({"sendMessage", "sendDocument", "sendPhoto"})


@dataclass(frozen=True)
class User:
    """A Telegram account; its private chat with the bot has the same id."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        data["language_code"] = "en"
        return data


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    chat_id: int | None
    at: float  # time.monotonic()
    status: int = 200
    result: Any = None
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # name -> (filename, data)

    @property
    def text(self) -> str:
        value = self.params.get("text", self.params.get("caption", ""))
        return value if isinstance(value, str) else ""

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def buttons(self) -> list[dict[str, Any]]:
        markup = self.params.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]

    @property
    def callback_data(self) -> list[str]:
        return [b["callback_data"] for b in self.buttons if "callback_data" in b]

    def __repr__(self) -> str:  # short, for assertion messages
        extra = f" {self.text[:80]!r}" if self.text else ""
        alert = " alert" if self.params.get("show_alert") else ""
        return f"<{self.method} chat={self.chat_id} {self.status}{alert}{extra}>"


@dataclass
class StoredMessage:
    chat_id: int
    message_id: int
    text: str
    reply_markup: dict[str, Any] | None
    date: int
    from_bot: bool
    edits: int = 0

    @property
    def callback_data(self) -> list[str]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [b["callback_data"] for row in rows for b in row if "callback_data" in b]


@dataclass
class Failure:
    method: str | None
    chat_id: int | None
    status: int
    description: str
    retry_after: int | None
    times: int


class _HtmlCheck(HTMLParser):
    ALLOWED = frozenset(
        {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre"}
        | {"span", "tg-spoiler", "blockquote", "tg-emoji"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.errors: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.ALLOWED:
            self.errors.append(f"unsupported start tag <{tag}>")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unbalanced </{tag}>")
        else:
            self.stack.pop()

    def handle_entityref(self, name: str) -> None:
        if name not in ("lt", "gt", "amp", "quot"):
            self.errors.append(f"unsupported entity &{name};")


def check_markup_text(text: str, parse_mode: str | None) -> list[str]:
    """Telegram refuses a message whose markup does not parse: mirror the HTML rules."""
    if not parse_mode:
        return []
    if parse_mode.upper() == "HTML":
        checker = _HtmlCheck()
        checker.feed(text)
        checker.close()
        if re.search(r"<(?![a-zA-Z/])", text):
            checker.errors.append("a bare '<' in HTML text")
        if re.search(r"&(?!(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)", text):
            checker.errors.append("a bare '&' in HTML text")
        if checker.stack:
            checker.errors.append(f"unclosed tags {checker.stack}")
        return checker.errors
    if parse_mode == "MarkdownV2":
        unescaped = re.findall(r"(?<!\\)[_*\[\]()~`>#+\-=|{}.!]", text)
        return ["unescaped MarkdownV2 characters"] if unescaped else []
    return [f"unknown parse_mode {parse_mode!r}"]


def check_reply_markup(markup: Any) -> list[str]:
    if markup is None:
        return []
    if not isinstance(markup, dict):
        return [f"reply_markup is not an object: {markup!r}"[:200]]
    if "inline_keyboard" not in markup:
        allowed = {"keyboard", "remove_keyboard", "force_reply"}
        return [] if allowed & markup.keys() else [f"unknown reply_markup {sorted(markup)}"]
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        return ["inline_keyboard must be an array of arrays"]
    errors = []
    total = 0
    for row in rows:
        if not row:
            errors.append("an empty keyboard row")
        if len(row) > BUTTONS_PER_ROW:
            errors.append(f"a keyboard row of {len(row)} buttons (max {BUTTONS_PER_ROW})")
        for button in row:
            total += 1
            if not isinstance(button, dict) or not str(button.get("text", "")):
                errors.append(f"a button without text: {button!r}"[:200])
                continue
            kinds = {"callback_data", "url", "switch_inline_query", "web_app", "login_url"}
            present = kinds & button.keys()
            if len(present) != 1:
                errors.append(f"a button needs exactly one action: {button!r}"[:200])
            data = button.get("callback_data")
            if data is not None:
                size = len(str(data).encode())
                if not 1 <= size <= CALLBACK_DATA_LIMIT:
                    errors.append(f"callback_data of {size} bytes: {str(data)[:80]!r}")
            url = button.get("url")
            if url is not None and not re.match(r"^(https?|tg)://", str(url)):
                errors.append(f"a button url Telegram refuses: {url!r}"[:200])
    if total > BUTTONS_TOTAL:
        errors.append(f"{total} buttons in one keyboard (max {BUTTONS_TOTAL})")
    return errors


class FakeTelegram:
    """One fake bot (one token) on a local port; see the module docstring."""

    def __init__(self, token: str, *, bot_id: int | None = None, username: str = "mentor_bot"):
        self.token = token
        self.bot_id = bot_id or int(token.split(":", 1)[0])
        self.username = username
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.messages: dict[tuple[int, int], StoredMessage] = {}
        self.documents: list[tuple[int, str, bytes]] = []  # chat, filename, content
        self.chats: dict[int, dict[str, Any]] = {}
        self.commands: list[dict[str, Any]] = []  # the last setMyCommands' list, any scope
        self.scoped_commands: dict[ScopeKey, list[dict[str, Any]]] = {}  # per scope
        self.description = ""
        self.short_description = ""
        self.webhook: dict[str, Any] | None = None
        self.port = 0
        self.per_chat_limit: tuple[int, float] | None = None  # (messages, seconds)
        self.delays: dict[str, float] = {}  # seconds a method takes to answer (a slow API)
        self.rate_limited: list[Call] = []
        self._sent_at: dict[int, list[float]] = defaultdict(list)
        self._next_message_id: dict[int, itertools.count[int]] = {}
        self._update_ids = itertools.count(100_001)
        self._query_ids = itertools.count(1)
        self._pending: list[dict[str, Any]] = []
        self._confirmed = 0  # every update id below this was confirmed by an offset
        self._poll_generation = 0
        self._changed = asyncio.Condition()
        self._queries: dict[str, tuple[int, int]] = {}  # callback id -> (user, chat)
        self._answered: set[str] = set()
        self._failures: list[Failure] = []
        self._blocked: set[int] = set()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> FakeTelegram:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self

    async def close(self) -> None:
        self._closing = True
        async with self._changed:
            self._changed.notify_all()
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        """The Bot API base address, for ``build_application(api_url=...)``."""
        return f"http://127.0.0.1:{self.port}"

    # ------------------------------------------------------------------ updates

    def chat_for(self, user: User) -> dict[str, Any]:
        chat = {"id": user.id, "type": "private", "first_name": user.first_name}
        self.chats.setdefault(user.id, chat)
        return chat

    def add_group(self, chat_id: int, title: str = "Mentors") -> dict[str, Any]:
        chat = {"id": chat_id, "type": "supergroup", "title": title}
        self.chats[chat_id] = chat
        return chat

    def message_update(self, user: User, text: str, chat_id: int | None = None) -> dict[str, Any]:
        """A real ``Update`` JSON for a text message (a command gets its entity)."""
        chat = self.chats[chat_id] if chat_id is not None else self.chat_for(user)
        message_id = next(self._message_ids(chat["id"]))
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": user.to_dict(),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        self.messages[(chat["id"], message_id)] = StoredMessage(
            chat["id"], message_id, text, None, message["date"], from_bot=False
        )
        return {"update_id": next(self._update_ids), "message": message}

    def callback_update(
        self, user: User, data: str, message: StoredMessage | None, chat_id: int | None = None
    ) -> dict[str, Any]:
        """A real ``Update`` JSON for a button press on ``message`` (the bot's message)."""
        query_id = f"{next(self._query_ids)}{user.id}"
        query: dict[str, Any] = {
            "id": query_id,
            "from": user.to_dict(),
            "chat_instance": f"ci{user.id}",
            "data": data,
        }
        if message is not None:
            query["message"] = self._message_json(message)
            chat = message.chat_id
        else:
            chat = chat_id if chat_id is not None else user.id
        self._queries[query_id] = (user.id, chat)
        return {"update_id": next(self._update_ids), "callback_query": query}

    def find_button_message(self, chat_id: int, data: str) -> StoredMessage | None:
        """The newest bot message in this chat that carries a button with ``data``."""
        found = [
            m for m in self.messages.values() if m.chat_id == chat_id and data in m.callback_data
        ]
        return max(found, key=lambda m: m.message_id) if found else None

    def last_bot_message(self, chat_id: int) -> StoredMessage | None:
        found = [m for m in self.messages.values() if m.chat_id == chat_id and m.from_bot]
        return max(found, key=lambda m: m.message_id) if found else None

    async def queue_update(self, update: dict[str, Any]) -> None:
        """Make the update available to ``getUpdates`` (wakes a waiting long poll)."""
        assert update["update_id"] >= self._confirmed, "Telegram never resends a confirmed update"
        async with self._changed:
            self._pending.append(update)
            self._changed.notify_all()

    async def wait_confirmed(self, update_id: int, timeout: float = 10.0) -> None:
        """Until a getUpdates call confirmed ``update_id`` (the bot has put it in its queue)."""

        async def confirmed() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: self._confirmed > update_id)

        await asyncio.wait_for(confirmed(), timeout)

    async def post_to_webhook(
        self,
        update: dict[str, Any],
        *,
        url: str | None = None,
        secret: str | None = None,
        omit_secret: bool = False,
    ) -> int:
        """POST an update to the webhook as Telegram does, with the secret token given at
        setWebhook (``secret`` sends another one, ``omit_secret`` none). Returns the status."""
        assert self.webhook is not None, "no webhook is set"
        target = url or self.webhook["url"]
        header = secret if secret is not None else self.webhook.get("secret_token")
        headers = {"Content-Type": "application/json"}
        if header is not None and not omit_secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = header
        if self._client is None:
            self._client = aiohttp.ClientSession()
        async with self._client.post(target, data=json.dumps(update), headers=headers) as resp:
            await resp.read()
            return resp.status

    # ------------------------------------------------------------------ failure injection

    def fail(
        self,
        method: str | None = None,
        chat_id: int | None = None,
        *,
        status: int = 429,
        retry_after: int | None = 3,
        description: str | None = None,
        times: int = 1,
    ) -> None:
        """The next ``times`` matching calls get an error instead of a result."""
        if description is None:
            description = {
                429: f"Too Many Requests: retry after {retry_after}",
                403: "Forbidden: bot was blocked by the user",
                500: "Internal Server Error",
            }.get(status, "Bad Request")
        self._failures.append(
            Failure(
                method, chat_id, status, description, retry_after if status == 429 else None, times
            )
        )

    def block(self, chat_id: int) -> None:
        """The person blocked the bot: every send to their chat gets 403 from now on."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        """The person opened (or unblocked) the chat: sends reach them again."""
        self._blocked.discard(chat_id)

    # ------------------------------------------------------------------ queries

    def calls_to(
        self, chat_id: int, since: int = 0, methods: frozenset[str] | None = None
    ) -> list[Call]:
        wanted = methods or frozenset({"sendMessage", "editMessageText", "sendDocument"})
        return [c for c in self.calls[since:] if c.chat_id == chat_id and c.method in wanted]

    def method_calls(self, method: str, since: int = 0) -> list[Call]:
        return [c for c in self.calls[since:] if c.method == method]

    # ------------------------------------------------------------------ HTTP side

    async def _not_found(self, request: web.Request) -> web.Response:
        self.violations.append(f"request to an unknown path {request.path!r}")
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
        )

    async def _params(
        self, request: web.Request
    ) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
        params: dict[str, Any] = dict(request.query)
        files: dict[str, tuple[str, bytes]] = {}
        if request.method == "POST" and request.can_read_body:
            kind = request.content_type
            if kind == "application/json":
                params.update(await request.json())
                return params, files
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    files[name] = (value.filename, value.file.read())
                else:
                    params[name] = value
        for name in list(params):
            value = params[name]
            if name in JSON_PARAMS and isinstance(value, str):
                try:
                    params[name] = json.loads(value)
                except ValueError:
                    self.violations.append(f"{name} is not JSON: {value[:80]!r}")
            elif name in ("chat_id", "user_id") and isinstance(value, str):
                params[name] = int(value) if re.fullmatch(r"-?\d+", value) else value
        return params, files

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            self.violations.append(f"{method} with a wrong token")
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        params, files = await self._params(request)
        chat_id = params.get("chat_id")
        if method in COMMAND_METHODS:  # a chat scope's chat, for ``fail(chat_id=...)``
            chat_id = self.scope_key(params.get("scope"))[1]
        if method == "answerCallbackQuery":
            chat_id = self._queries.get(str(params.get("callback_query_id")), (None, None))[1]
        call = Call(method, params, chat_id if isinstance(chat_id, int) else None, time.monotonic())
        call.files = files
        self.calls.append(call)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            self.violations.append(f"unexpected Bot API method {method}")
            return self._error(call, 404, "Not Found: method not found")
        refused = self._injected(call)
        if refused is not None:
            return refused
        if self.delays.get(method):
            await asyncio.sleep(self.delays[method])
        return await handler(call)

    def _injected(self, call: Call) -> web.Response | None:
        if call.method in SEND_METHODS | {"editMessageText"} and call.chat_id in self._blocked:
            return self._error(call, 403, "Forbidden: bot was blocked by the user")
        for failure in self._failures:
            if failure.times <= 0:
                continue
            if failure.method not in (None, call.method):
                continue
            if failure.chat_id not in (None, call.chat_id):
                continue
            failure.times -= 1
            return self._error(call, failure.status, failure.description, failure.retry_after)
        if self.per_chat_limit and call.method in SEND_METHODS and call.chat_id is not None:
            count, window = self.per_chat_limit
            now = call.at
            recent = [t for t in self._sent_at[call.chat_id] if t > now - window]
            self._sent_at[call.chat_id] = recent
            if len(recent) >= count:
                wait = max(1, math.ceil(recent[0] + window - now))
                self.rate_limited.append(call)
                return self._error(call, 429, f"Too Many Requests: retry after {wait}", wait)
            recent.append(now)
        return None

    def _error(
        self, call: Call, status: int, description: str, retry_after: int | None = None
    ) -> web.Response:
        call.status = status
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        call.result = body
        return web.json_response(body, status=status)

    def _ok(self, call: Call, result: Any) -> web.Response:
        call.result = result
        return web.json_response({"ok": True, "result": result})

    def _violation(self, call: Call, problems: list[str]) -> web.Response | None:
        if not problems:
            return None
        self.violations.extend(f"{call.method} to {call.chat_id}: {p}" for p in problems)
        return self._error(call, 400, "Bad Request: " + "; ".join(problems)[:300])

    def _message_ids(self, chat_id: int) -> itertools.count[int]:
        return self._next_message_id.setdefault(chat_id, itertools.count(1))

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Mentor Bot",
            "username": self.username,
        }

    def _chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id not in self.chats:
            kind = "private" if chat_id > 0 else "supergroup"
            self.chats[chat_id] = {"id": chat_id, "type": kind, "first_name": f"chat{chat_id}"}
        return self.chats[chat_id]

    def _message_json(self, stored: StoredMessage) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": stored.message_id,
            "date": stored.date,
            "chat": self._chat(stored.chat_id),
            "text": stored.text,
        }
        data["from"] = (
            self._bot_user()
            if stored.from_bot
            else {"id": stored.chat_id, "is_bot": False, "first_name": "x"}
        )
        if stored.reply_markup:
            data["reply_markup"] = stored.reply_markup
        if stored.edits:
            data["edit_date"] = stored.date
        return data

    def _text_problems(self, text: Any, parse_mode: Any, limit: int = TEXT_LIMIT) -> list[str]:
        if not isinstance(text, str) or not text.strip():
            return ["message text is empty"]
        problems = []
        if utf16_units(text) > limit:
            problems.append(f"message is too long ({utf16_units(text)} > {limit} UTF-16 units)")
        problems += check_markup_text(text, parse_mode if isinstance(parse_mode, str) else None)
        return problems

    # ------------------------------------------------------------------ methods

    async def _m_getMe(self, call: Call) -> web.Response:
        user = self._bot_user() | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        return self._ok(call, user)

    @staticmethod
    def scope_key(scope: Any) -> ScopeKey:
        """A BotCommandScope as a key: ``("default", None)``, ``("chat", -100)``..."""
        if not isinstance(scope, dict):
            return ("default", None)
        chat = scope.get("chat_id")
        if isinstance(chat, str) and re.fullmatch(r"-?\d+", chat):
            chat = int(chat)
        return (str(scope.get("type")), chat if isinstance(chat, int | str) else None)

    def commands_for(self, kind: str, chat_id: int | str | None = None) -> list[str]:
        """The command names set for a scope (``"all_private_chats"``, ``"chat"``...)."""
        return [c["command"] for c in self.scoped_commands.get((kind, chat_id), [])]

    def _scope_problems(self, call: Call) -> list[str]:
        kind, chat = self.scope_key(call.params.get("scope"))
        if kind not in SCOPE_TYPES:
            return [f"unknown command scope {kind!r}"]
        if kind.startswith("chat") and chat is None:
            return [f"scope {kind} needs a chat_id"]
        return []

    async def _m_getMyCommands(self, call: Call) -> web.Response:
        refused = self._violation(call, self._scope_problems(call))
        if refused:
            return refused
        return self._ok(
            call, self.scoped_commands.get(self.scope_key(call.params.get("scope")), [])
        )

    async def _m_setMyCommands(self, call: Call) -> web.Response:
        commands = call.params.get("commands")
        problems = self._scope_problems(call)
        if not isinstance(commands, list) or not 0 < len(commands) <= 100:
            problems.append("commands must be a list of 1-100 items")
        else:
            for command in commands:
                if not COMMAND_RE.match(str(command.get("command", ""))):
                    problems.append(f"bad command name {command.get('command')!r}")
                if not 1 <= len(str(command.get("description", ""))) <= 256:
                    problems.append(f"bad description for {command.get('command')!r}")
        refused = self._violation(call, problems)
        if refused:
            return refused
        self.commands = list(commands or [])
        self.scoped_commands[self.scope_key(call.params.get("scope"))] = self.commands
        return self._ok(call, True)

    async def _m_deleteMyCommands(self, call: Call) -> web.Response:
        refused = self._violation(call, self._scope_problems(call))
        if refused:
            return refused
        self.commands = []
        self.scoped_commands.pop(self.scope_key(call.params.get("scope")), None)
        return self._ok(call, True)

    async def _m_getMyDescription(self, call: Call) -> web.Response:
        return self._ok(call, {"description": self.description})

    async def _m_getMyShortDescription(self, call: Call) -> web.Response:
        return self._ok(call, {"short_description": self.short_description})

    async def _m_setMyDescription(self, call: Call) -> web.Response:
        text = str(call.params.get("description") or "")
        problems = (
            [f"description is {utf16_units(text)} long (max {DESCRIPTION_LIMIT})"]
            if utf16_units(text) > DESCRIPTION_LIMIT
            else []
        )
        refused = self._violation(call, problems)
        if refused:
            return refused
        self.description = text
        return self._ok(call, True)

    async def _m_setMyShortDescription(self, call: Call) -> web.Response:
        text = str(call.params.get("short_description") or "")
        problems = (
            [f"short description is {utf16_units(text)} long (max {SHORT_DESCRIPTION_LIMIT})"]
            if utf16_units(text) > SHORT_DESCRIPTION_LIMIT
            else []
        )
        refused = self._violation(call, problems)
        if refused:
            return refused
        self.short_description = text
        return self._ok(call, True)

    async def _m_getUpdates(self, call: Call) -> web.Response:
        if self.webhook is not None:
            return self._error(
                call,
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = call.params.get("offset")
        limit = int(call.params.get("limit") or 100)
        timeout = float(call.params.get("timeout") or 0)
        async with self._changed:
            self._poll_generation += 1
            generation = self._poll_generation
            if isinstance(offset, int) and offset > self._confirmed:
                self._confirmed = offset
                self._pending = [u for u in self._pending if u["update_id"] >= offset]
            self._changed.notify_all()  # confirmations, and an older poll is terminated
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._changed.wait_for(
                        lambda: (
                            bool(self._pending)
                            or self._closing
                            or generation != self._poll_generation
                        )
                    ),
                    timeout,
                )
            if generation != self._poll_generation:
                return self._error(call, 409, "Conflict: terminated by other getUpdates request")
            return self._ok(call, list(self._pending[:limit]))

    async def _m_setWebhook(self, call: Call) -> web.Response:
        secret = call.params.get("secret_token")
        problems = []
        url = str(call.params.get("url", ""))
        if not url.startswith(("https://", "http://127.0.0.1")):
            problems.append(f"bad webhook url {url!r}")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            problems.append("bad secret_token")
        refused = self._violation(call, problems)
        if refused:
            return refused
        self.webhook = {"url": url, "secret_token": secret}
        if call.params.get("drop_pending_updates"):
            self._pending.clear()
        async with self._changed:
            self._changed.notify_all()
        return self._ok(call, True)

    async def _m_deleteWebhook(self, call: Call) -> web.Response:
        self.webhook = None
        if call.params.get("drop_pending_updates"):
            self._pending.clear()
        return self._ok(call, True)

    async def _m_getWebhookInfo(self, call: Call) -> web.Response:
        info = {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        return self._ok(call, info)

    async def _m_close(self, call: Call) -> web.Response:
        return self._ok(call, True)

    async def _m_logOut(self, call: Call) -> web.Response:
        return self._ok(call, True)

    async def _m_sendChatAction(self, call: Call) -> web.Response:
        return self._ok(call, True)

    async def _m_sendMessage(self, call: Call) -> web.Response:
        params = call.params
        problems = self._text_problems(params.get("text"), params.get("parse_mode"))
        problems += check_reply_markup(params.get("reply_markup"))
        if not isinstance(call.chat_id, int):
            problems.append(f"bad chat_id {params.get('chat_id')!r}")
        refused = self._violation(call, problems)
        if refused:
            return refused
        assert call.chat_id is not None
        stored = StoredMessage(
            call.chat_id,
            next(self._message_ids(call.chat_id)),
            params["text"],
            params.get("reply_markup"),
            int(time.time()),
            from_bot=True,
        )
        self.messages[(stored.chat_id, stored.message_id)] = stored
        return self._ok(call, self._message_json(stored))

    async def _m_editMessageText(self, call: Call) -> web.Response:
        params = call.params
        problems = self._text_problems(params.get("text"), params.get("parse_mode"))
        problems += check_reply_markup(params.get("reply_markup"))
        refused = self._violation(call, problems)
        if refused:
            return refused
        stored = self.messages.get((call.chat_id or 0, int(params.get("message_id") or 0)))
        if stored is None or not stored.from_bot:
            return self._error(call, 400, "Bad Request: message to edit not found")
        markup = params.get("reply_markup")
        if stored.text == params["text"] and stored.reply_markup == markup:
            return self._error(
                call,
                400,
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup "
                "of the message",
            )
        stored.text, stored.reply_markup = params["text"], markup
        stored.edits += 1
        return self._ok(call, self._message_json(stored))

    async def _m_sendDocument(self, call: Call) -> web.Response:
        params = call.params
        problems = []
        if "document" not in call.files:
            problems.append("no document uploaded (multipart part 'document')")
        caption = params.get("caption")
        if caption is not None:
            problems += self._text_problems(caption, params.get("parse_mode"), CAPTION_LIMIT)
        problems += check_reply_markup(params.get("reply_markup"))
        refused = self._violation(call, problems)
        if refused:
            return refused
        assert call.chat_id is not None
        filename, content = call.files["document"]
        self.documents.append((call.chat_id, filename, content))
        message_id = next(self._message_ids(call.chat_id))
        stored = StoredMessage(call.chat_id, message_id, "", None, int(time.time()), True)
        self.messages[(call.chat_id, message_id)] = stored
        result = self._message_json(stored)
        del result["text"]
        result["document"] = {
            "file_id": f"doc{message_id}",
            "file_unique_id": f"u{message_id}",
            "file_name": filename,
            "mime_type": "text/calendar"
            if filename.endswith(".ics")
            else "application/octet-stream",
            "file_size": len(content),
        }
        return self._ok(call, result)

    async def _m_answerCallbackQuery(self, call: Call) -> web.Response:
        params = call.params
        query_id = str(params.get("callback_query_id"))
        problems = []
        text = params.get("text")
        if text is not None and utf16_units(str(text)) > ANSWER_TEXT_LIMIT:
            problems.append(f"answer text of {utf16_units(str(text))} UTF-16 units (max 200)")
        if query_id not in self._queries:
            problems.append(f"unknown callback query {query_id!r}")
        elif query_id in self._answered:
            problems.append(f"callback query {query_id} answered twice")
        refused = self._violation(call, problems)
        if refused:
            return refused
        self._answered.add(query_id)
        return self._ok(call, True)

    def unanswered_queries(self) -> list[str]:
        return [q for q in self._queries if q not in self._answered]
