"""A typed id that cannot name anything (not a number, beyond BIGINT) is answered as an
id that names nothing ("There is no request #abc"), not with a usage line or an error;
a missing argument still gets the usage."""

from __future__ import annotations

from bot.conversation import dispatcher
from bot.conversation.replies import UserText
from bot.conversation.vocabulary import VOCABULARY

HUGE = "99999999999999999999999"


def test_the_noun_comes_from_the_usage_of_the_bad_argument() -> None:
    assign = VOCABULARY["assign"]
    assert assign.unknown_id(["1", HUGE]) == ("mentor", HUGE)
    assert assign.unknown_id([HUGE, "2"]) == ("request", HUGE)
    assert VOCABULARY["cancel_session"].unknown_id(["x1", "because"]) == ("session", "x1")


def test_a_missing_or_extra_argument_is_not_an_unknown_id() -> None:
    assert VOCABULARY["assign"].unknown_id(["1"]) is None
    assert VOCABULARY["assign"].unknown_id(["1", "2", "3"]) is None
    assert VOCABULARY["cancel_session"].unknown_id([]) is None
    assert VOCABULARY["rate"].unknown_id(["1", "9"]) is None  # the stars are wrong: usage


def test_the_answer_shows_the_typed_word_as_text_cut_short() -> None:
    answer = dispatcher.no_such("request", "@channel" + "9" * 40)
    assert answer.refused
    first, shown, last = answer.note_parts()
    assert (first, last) == ("There is no request #", ".")
    assert isinstance(shown, UserText) and shown.text.startswith("@channel")
    assert len(shown.text) == dispatcher.SHOWN_ID
