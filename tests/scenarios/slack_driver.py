"""The scenarios' verbs on Slack: signed requests over HTTP to the real Bolt app, which
talks to the fake Web API (``tests/slack/harness.py``).

Buttons are (action id, value) as ``bot/handlers/slack/action_codec.py`` encodes them; a
button counts as shown to a person when it was in a DM to them, an ephemeral note for
them, their Home tab, or (for a mentor) the mentors' channel. What a person is told: DMs
and ephemeral notes, and the errors a modal shows.
"""

from __future__ import annotations

import re
from typing import Any

from bot.handlers.slack.action_codec import action_id, decode
from core.delivery.messages import Action, ActionName
from core.members import Member
from tests.scenarios.driver import Driver, RequestSpec
from tests.scenarios.people import EVERYONE, Person
from tests.slack.harness import CHANNEL, Answer, SlackHarness
from tests.support.failing_writes import failing_writes
from tests.support.fake_slack import Call, FakeSlack, loaded, walk_texts

DM_METHODS = ("chat.postMessage", "chat.update")


def button_of(name: str, args: tuple[str, ...]) -> tuple[str, str]:
    """(action id, value) of a button of this action (any action of the vocabulary)."""
    if name in ActionName.__members__.values():
        return action_id(Action("x", ActionName(name), args), 0), ":".join(args)
    return f"a:{name}:0", ":".join(args)


class SlackDriver(Driver):
    name = "slack"

    def __init__(self, database_url: str, harness: SlackHarness | None = None) -> None:
        super().__init__()
        self.database_url = database_url
        self.slack = harness
        self.by_user = {p.slack_id: p for p in EVERYONE}
        self.modals: dict[str, dict[str, Any]] = {}  # the modal open for each person

    async def start(self, **kw: Any) -> SlackDriver:
        if self.slack is None:
            fake = await FakeSlack().start()
            self.slack = await SlackHarness(self.database_url, fake, **kw).start()
        self.clock, self.ctx, self.db = self.slack.clock, self.slack.ctx, self.slack.db
        return self

    async def stop(self) -> None:
        await self.h.stop()
        await self.h.fake.close()
        violations = self.h.fake.violations
        assert not violations, "Block Kit violations:\n" + "\n".join(violations)

    @property
    def h(self) -> SlackHarness:
        assert self.slack is not None
        return self.slack

    def member(self, p: Person) -> Member:
        return self.h.member(p.slack_id)

    # ------------------------------------------------------------------ what was said

    def _person(self, call: Call) -> Person | None:
        if call.method in DM_METHODS:
            channel = call.channel
            return self.by_user.get(channel) or self.by_user.get("U" + channel[1:])
        if call.method == "chat.postEphemeral":
            return self.by_user.get(call.user)
        return None

    def log(self, calls: list[Call]) -> None:
        for call in calls:
            if call.status != 200:
                continue
            if call.method in DM_METHODS and call.channel == CHANNEL:
                self.feed.append(call.text)
            elif (who := self._person(call)) is not None:
                self.heard[who.key].append(call.text)
            elif call.method == "files.completeUploadExternal":
                who = self.by_user.get("U" + call.channel[1:])
                for f in loaded(call.args.get("files")) or []:
                    if who is not None:
                        self.heard[who.key].append(f"(attached {f.get('title')})")

    def said(self, p: Person, answer: Answer) -> str:
        self.log(answer.calls)
        opened = answer.of("views.open")
        told = answer.text_to(p.slack_id)
        if opened:
            self.modals[p.key] = opened[-1].view
            title = (opened[-1].view.get("title") or {}).get("text", "")
            told = "\n".join(filter(None, (told, f"(a form opened: {title})")))
        acked = str(answer.json.get("text") or "")  # a slash command's immediate answer
        if acked:
            self.heard[p.key].append(acked)
            told = "\n".join(filter(None, (acked, told)))
        if answer.json.get("response_action") == "update":  # the modal, redrawn
            shown = "\n".join(walk_texts(answer.json.get("view", {}).get("blocks", [])))
            self.heard[p.key].append(shown)
            told = "\n".join(filter(None, (told, shown)))
        if answer.json.get("response_action") == "errors":
            errors = "; ".join(str(e) for e in answer.json.get("errors", {}).values())
            self.heard[p.key].append(errors)
            told = "\n".join(filter(None, (told, errors)))
        return told

    def _buttons(self, p: Person, calls: list[Call]) -> list[tuple[str, tuple[str, ...]]]:
        found = []
        homes = [c for c in calls if c.method == "views.publish" and c.user == p.slack_id]
        for call in calls:
            if call.status != 200:
                continue
            mine = self._person(call) == p
            feed = call.method in DM_METHODS and call.channel == CHANNEL and p.key in self.in_feed
            if not (mine or feed or (homes and call is homes[-1])):
                continue
            for b in call.buttons():
                decoded, args = decode(str(b.get("action_id")), str(b.get("value") or ""))
                if decoded:
                    found.append((decoded, tuple(args)))
        return found

    def shown(self, p: Person, name: str) -> list[tuple[str, ...]]:
        return [args for found, args in self._buttons(p, self.h.fake.calls) if found == name]

    # ------------------------------------------------------------------ verbs

    async def register(self, p: Person) -> None:
        self.h.fake.zones[p.slack_id] = p.zone
        self.h.fake.names[p.slack_id] = p.name
        self.said(p, await self.h.home(p.slack_id))
        assert self.member(p).timezone == p.zone

    async def type(self, p: Person, text: str) -> str:
        """``/mentorship <words>``: the slash command with a sub-command."""
        words = text.removeprefix("/")
        said = self.said(p, await self.h.post_form(self.h.command_fields(p.slack_id, words)))
        await self.deliver()
        return said

    async def _press(self, p: Person, name: str, args: tuple[str, ...]) -> str:
        pressed, value = button_of(name, args)
        in_channel = [
            c
            for c in self.h.fake.calls
            if c.method in DM_METHODS
            and c.channel == CHANNEL
            and any(b.get("action_id") == pressed and b.get("value") == value for b in c.buttons())
        ]
        channel = CHANNEL if in_channel and p.key in self.in_feed else None
        return self.said(p, await self.h.press(p.slack_id, pressed, value, channel=channel))

    async def _answer(self, p: Person, text: str) -> str:
        view = self.modals.pop(p.key, None)
        assert view is not None, f"nothing asked {p.name} for an answer on slack: {self.told(p)}"
        inputs = [b for b in view.get("blocks", []) if b.get("type") == "input"]
        field = next(b for b in inputs if b["element"]["type"] == "plain_text_input")
        return self.said(p, await self.h.submit(p.slack_id, view, {field["block_id"]: text}))

    async def apply_to_mentor(self, p: Person, answers: tuple[str, ...]) -> str:
        """``/mentorship become_mentor``: the application modal, its fields in order."""
        self.said(p, await self.h.post_form(self.h.command_fields(p.slack_id, "become_mentor")))
        view = self.modals.pop(p.key, None)
        assert view is not None, f"no application form for {p.name}: {self.told(p)}"
        inputs = [b["block_id"] for b in view.get("blocks", []) if b.get("type") == "input"]
        values = dict(zip(inputs, answers, strict=True))
        said = self.said(p, await self.h.submit(p.slack_id, view, values))
        await self.deliver()
        return said

    def subcommands(self) -> frozenset[str]:
        """The sub-commands ``/mentorship help`` lists."""
        shown = self.h.fake.calls
        answer = [c.text for c in shown if "What you can do with" in c.text]
        return frozenset(re.findall(r"^/mentorship (\w+)", "\n".join(answer[-1:]), re.M))

    async def add_window(self, p: Person, day: str, start: str, end: str) -> str:
        """Home tab → Edit availability: the modal, one window added."""
        self.said(p, await self.h.press(p.slack_id, "home:availability"))
        view = self.modals.pop(p.key, None)
        assert view is not None, f"no availability modal for {p.name}"
        values = {"weekday": day, "start": start, "end": end}
        said = self.said(p, await self.h.submit(p.slack_id, view, values))
        await self.deliver()
        return said

    async def submit_request(
        self, p: Person, spec: RequestSpec, *, failing_save: bool = False
    ) -> int:
        opened = await self.h.command(p.slack_id)
        self.said(p, opened)
        view = self.modals.pop(p.key)
        values = {
            "session_type": "career-guidance",
            "title": spec.title,
            "description": spec.description,
            "duration_minutes": str(spec.duration),
            "urgency": spec.urgency,
            "available_from": spec.available_from.isoformat(),
            "available_until": spec.available_until.isoformat(),
            "tags": [spec.tag],
            "student_hours": list(spec.hours),
            "preferred_mentor_id": None,
        }
        if failing_save:
            with failing_writes(self.db, "mentorship_requests") as refused:
                failed = await self.h.submit(p.slack_id, view, values)
            assert refused, "no request write was attempted"
            # answered "saving" at once; the failed save brings the form back, as typed,
            # the reason on top (and by DM)
            assert failed.json.get("response_action") == "update", failed.body
            [back] = failed.of("views.update")
            assert back.view["callback_id"] == "request_form", back.view
            shown = "\n".join(walk_texts(back.view["blocks"]))
            assert spec.title in str(back.view), back.view  # what they typed is kept
            self.failed_save_told = shown + "\n" + self.said(p, failed)
        said = self.said(p, await self.h.submit(p.slack_id, view, values))
        found = re.search(r"#(\d+)", said)
        assert "submitted" in said and found, said
        await self.deliver()
        return int(found.group(1))

    async def deliver(self) -> None:
        _, calls = await self.h.deliver()
        self.log(calls)
