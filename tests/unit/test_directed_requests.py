"""The pieces of directed and stale requests that need no database: the form's question,
its Slack modal field, what delivery still sends, and the queue's "last day" mark."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from bot.handlers.slack.modals import draft_from_view, request_modal
from bot.views import queue_line
from core.catalogue import Catalogue
from core.delivery.relevance import still_worth_sending
from core.forms import Choice, RequestForm, answer, form_steps, preview
from core.lifecycle import RequestStatus as R
from core.notifications import Audience, Kind, to_audience, to_member
from core.policy import Policy
from core.validation import validate_draft
from tests.unit.delivery.builders import NOW, a_request
from tests.unit.fakes import a_draft

CATALOGUE = Catalogue.load()
MENTORS = [Choice("7", "Bob"), Choice("8", "Carol")]
TODAY = date(2026, 3, 2)


def test_the_question_is_asked_only_when_a_mentor_is_chosen():
    fields = [s.field for s in form_steps(a_draft(), CATALOGUE, MENTORS)]
    assert "open_to_others" not in fields
    steps = form_steps(a_draft(preferred_mentor_id=7), CATALOGUE, MENTORS)
    question = steps[-2]
    assert question.field == "open_to_others"
    assert question.prompt == (
        "If Bob does not take it in time (or declines it), may any other mentor take it?"
    )
    assert [c.label for c in question.choices] == ["Yes, open it to every mentor", "No, only Bob"]


def test_the_answer_is_kept_validated_and_previewed():
    form = RequestForm(a_draft(preferred_mentor_id=7))
    steps = form_steps(form.draft, CATALOGUE, MENTORS)
    answer(form, steps[-2], "yes", CATALOGUE, Policy(), TODAY)
    assert form.draft.open_to_others is True
    assert validate_draft(form.draft, CATALOGUE, Policy(), TODAY).open_to_others is True
    assert "Other mentors may take it: yes" in preview(form.draft, CATALOGUE)
    answer(form, steps[-2], "no", CATALOGUE, Policy(), TODAY)
    assert "Other mentors may take it: no, only the chosen mentor" in preview(form.draft, CATALOGUE)
    # kept in a stored form (Telegram and the console keep forms between messages)
    assert RequestForm.from_dict(form.to_dict()).draft.open_to_others is False


def test_without_a_mentor_the_answer_means_nothing():
    valid = validate_draft(a_draft(open_to_others=True), CATALOGUE, Policy(), TODAY)
    assert valid.open_to_others is False


def test_the_slack_modal_asks_it_next_to_the_mentor_select():
    view = request_modal(a_draft(preferred_mentor_id=7), CATALOGUE, Policy(), MENTORS, {})
    ids = [b.get("block_id") for b in view["blocks"]]
    assert ids.index("open_to_others") == ids.index("preferred_mentor_id") + 1
    assert ids.count("open_to_others") == 1
    block = view["blocks"][ids.index("open_to_others")]
    assert block["element"]["initial_option"]["value"] == "no"


def test_the_slack_modal_answer_reaches_the_draft():
    view = request_modal(a_draft(), CATALOGUE, Policy(), MENTORS, {})
    state: dict[str, dict[str, object]] = {}
    for block in view["blocks"]:
        if block.get("type") == "input":
            state[block["block_id"]] = {"v": {"type": block["element"]["type"]}}
    state["preferred_mentor_id"]["v"] = {"type": "static_select", "selected_option": {"value": "7"}}
    state["open_to_others"]["v"] = {"type": "radio_buttons", "selected_option": {"value": "yes"}}
    draft, _ = draft_from_view({**view, "state": {"values": state}})
    assert (draft.preferred_mentor_id, draft.open_to_others) == (7, True)


def _verdict(kind: Kind, request, now=NOW):
    n = (
        to_audience(kind, Audience.MENTORS, now, "k", request_id=request.id)
        if kind != Kind.REQUEST_FOR_YOU
        else to_member(kind, 5, now, "k", request_id=request.id)
    )
    return still_worth_sending(n, request, None, now, Policy())


def test_nothing_reaches_other_mentors_while_a_request_is_reserved():
    reserved = a_request(preferred_mentor_id=5, exclusive_until=NOW + timedelta(days=1))
    for kind in (Kind.REQUEST_POSTED, Kind.REQUEST_REANNOUNCED, Kind.REQUEST_MATCHED):
        v = _verdict(kind, reserved)
        assert (v.send, v.reason) == (False, "the request is still for its chosen mentor only")
    assert _verdict(Kind.REQUEST_FOR_YOU, reserved).send
    assert _verdict(Kind.REQUEST_POSTED, replace(reserved, exclusive_until=None)).send


def test_a_request_never_open_to_all_gets_no_card_in_the_feed():
    reserved = a_request(R.CLAIMED, preferred_mentor_id=5, exclusive_until=NOW)
    v = _verdict(Kind.CARD_UPDATE, reserved)
    assert (v.send, v.reason) == (False, "the request was never open to every mentor")
    assert _verdict(Kind.CARD_UPDATE, replace(reserved, exclusive_until=None)).send


def test_no_announcement_once_the_last_day_is_over_everywhere():
    request = a_request(available_until=date(2026, 3, 13), expires_at=NOW + timedelta(days=30))
    last_moment = datetime(2026, 3, 14, 11, 59, tzinfo=UTC)  # still the 13th in UTC-12
    assert _verdict(Kind.REQUEST_REANNOUNCED, request, last_moment).send
    v = _verdict(Kind.REQUEST_REANNOUNCED, request, last_moment + timedelta(minutes=1))
    assert (v.send, v.reason) == (False, "the request's dates have passed")


def test_the_queue_marks_requests_with_a_day_or_less_left():
    request = a_request()
    names = {request.student_id: "Sam"}
    assert queue_line(request, CATALOGUE, names, 2).endswith("to 2026-03-13")
    assert queue_line(request, CATALOGUE, names, 1).endswith("to 2026-03-13 (1 day left)")
    assert queue_line(request, CATALOGUE, names, 0).endswith("to 2026-03-13 (last day!)")
