"""Splitting long replies: nothing dropped, every piece within the limit, no entity, token
or surrogate pair cut in two, line breaks preferred to spaces and spaces to anything."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.conversation.splitting import pieces, shorten, split, utf16_length

ENTITY = re.compile(r"&(?:amp|lt|gt);")
# what escaped user text is made of: words, spaces, line breaks, entities, emoji (2 UTF-16
# units each), accents that belong to the letter before them
ATOMS = st.sampled_from(
    ["a", "b", "xyz", " ", "  ", "\n", "\n\n", "&amp;", "&lt;", "&gt;", "😀", "e\u0301", "Ж"]
)
texts = st.lists(ATOMS, max_size=200).map("".join)
plain_texts = st.lists(st.sampled_from(["a", "bc", "def ", " ", "\n", "&amp;"]), max_size=200)
lengths = st.sampled_from([len, utf16_length])


def cuts(parts: list[str]) -> list[int]:
    out, at = [], 0
    for part in parts[:-1]:
        at += len(part)
        out.append(at)
    return out


@settings(max_examples=300)
@given(texts, st.integers(min_value=6, max_value=60), lengths)
def test_pieces_join_back_to_the_text_and_each_fits(text: str, limit: int, length) -> None:
    found = split(text, limit, length=length, atomic=ENTITY)
    assert "".join(found) == text
    assert all(found) and all(length(p) <= limit for p in found)


@settings(max_examples=300)
@given(texts, st.integers(min_value=6, max_value=60), lengths)
def test_no_entity_is_cut_in_two(text: str, limit: int, length) -> None:
    found = split(text, limit, length=length, atomic=ENTITY)
    inside = {i for m in ENTITY.finditer(text) for i in range(m.start() + 1, m.end())}
    assert not inside & set(cuts(found))
    for part in found:  # the text has no '&' or ';' but in entities: none is left half
        assert not set(ENTITY.sub("", part)) & {"&", ";"}, found


@settings(max_examples=200)
@given(texts, st.integers(min_value=6, max_value=60))
def test_an_accent_stays_with_its_letter_and_an_emoji_stays_whole(text: str, limit: int) -> None:
    for part in split(text, limit, length=utf16_length, atomic=ENTITY):
        assert not part.startswith("\u0301")
        part.encode("utf-8")  # a half of a surrogate pair would not encode


@settings(max_examples=200)
@given(st.lists(st.sampled_from(["ab", "\ud83d\ude00", " ", "\n"]), max_size=100).map("".join))
def test_a_surrogate_pair_in_the_string_is_never_separated(text: str) -> None:
    found = split(text, 5, length=utf16_length)
    assert "".join(found) == text
    for part in found:
        assert not part.endswith("\ud83d") and not part.startswith("\ude00")


@settings(max_examples=300)
@given(plain_texts.map("".join), st.integers(min_value=6, max_value=60))
def test_a_piece_ends_at_a_line_break_whenever_one_fits(text: str, limit: int) -> None:
    found = split(text, limit, atomic=ENTITY)
    for part in found[:-1]:
        assert part.endswith("\n") or "\n" not in part, found
        if not part.endswith("\n"):  # no line break fitted: the last space did
            assert part[-1].isspace() or not any(c.isspace() for c in part), found


@settings(max_examples=300)
@given(plain_texts.map("".join), st.integers(min_value=6, max_value=60))
def test_pieces_for_display_lose_only_whitespace(text: str, limit: int) -> None:
    shown = pieces(text, limit, atomic=ENTITY)
    assert all(p.strip() and len(p) <= limit for p in shown)
    assert "".join("".join(shown).split()) == "".join(text.split())


@settings(max_examples=300)
@given(texts, st.integers(min_value=30, max_value=80), lengths)
def test_shortened_text_says_so_and_fits(text: str, limit: int, length) -> None:
    marker = "… (shortened)"
    short = shorten(text, limit, marker, length=length, atomic=ENTITY)
    assert length(short) <= limit
    if length(text) <= limit:
        assert short == text
    else:
        assert short.endswith(marker)
        head = short.removesuffix(marker)
        assert text.startswith(head)
        assert not set(ENTITY.sub("", head)) & {"&", ";"}


def test_a_long_line_of_entities_splits_between_them() -> None:
    text = "ab" + "&amp;" * 1000  # no space, no line break: the Slack defect's case
    found = split(text, 3000, atomic=ENTITY)
    assert [len(p) for p in found] == [2997, 2005]
    assert all(ENTITY.sub("", p) in ("ab", "") for p in found)


def test_telegram_counts_an_emoji_as_two() -> None:
    text = "😀" * 3000  # 3000 characters, 6000 UTF-16 units
    found = split(text, 4096, length=utf16_length)
    assert [utf16_length(p) for p in found] == [4096, 1904]


def test_a_character_longer_than_the_limit_is_refused_not_dropped() -> None:
    with pytest.raises(ValueError):
        split("😀", 1, length=utf16_length)
