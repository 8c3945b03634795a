"""The vocabulary parses every argument strictly, so nothing forged reaches a service."""

from __future__ import annotations

import pytest

from bot.conversation import dispatcher  # noqa: F401  (fills the vocabulary)
from bot.conversation.vocabulary import VOCABULARY, Arg, parse_arg, typed_actions


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        (Arg.ID, "12", 12),
        (Arg.ID, "-1", None),
        (Arg.ID, "1" * 19, None),
        (Arg.ID, "١٢", None),  # Arabic-Indic digits pass str.isdigit, not our ids
        (Arg.EPOCH, "0", None),
        (Arg.EPOCH, str(2**33), None),
        (Arg.STARS, "5", 5),
        (Arg.STARS, "6", None),
        (Arg.OUTCOME, "completed", "completed"),
        (Arg.OUTCOME, "nuked", None),
        (Arg.ZONE, "Europe/Berlin", "Europe/Berlin"),
        (Arg.ZONE, "", None),
        (Arg.ZONE, "A" * 65, None),
        (Arg.ZONE, "Europe/\x00Berlin", None),
    ],
)
def test_arguments_are_parsed_strictly(kind: Arg, raw: str, expected: object) -> None:
    assert parse_arg(kind, raw) == expected


def test_free_text_takes_the_rest_of_the_words_or_nothing() -> None:
    release = VOCABULARY["release"]
    assert release.parse(["12"]) == (12, "")
    assert release.parse(["12", "too", "busy"]) == (12, "too busy")
    assert release.parse([]) is None


def test_every_action_says_who_may_use_it_and_typed_names_are_unique() -> None:
    assert all(d.who for d in VOCABULARY.values())
    typed = typed_actions()
    assert "cancel" not in typed  # /cancel stops a form; a request is /cancel_request
    assert typed["cancel_request"].name == "cancel"
    assert "book" not in typed and "set_timezone" not in typed  # buttons only
