"""The session-type catalogue: what students can choose, loaded from configuration."""

from __future__ import annotations

import pytest

from core.catalogue import DEFAULT_TAGS, Catalogue, CatalogueError

SEED_TYPES = {
    "MOCK_INTERVIEW": "interview_prep",
    "DOMAIN_COACHING": "interview_prep",
    "BEHAVIORAL_PREP": "interview_prep",
    "PERSONAL_REFERENCE": "references",
    "career-guidance": "mentorship",
    "resume-review": "mentorship",
    "industry-insights": "mentorship",
    "skill-development": "mentorship",
}

MINIMAL = """
[groups.mentorship]
label = "Mentorship"

[[types]]
code = "career-guidance"
label = "Career guidance"
group = "mentorship"
"""


def test_the_default_catalogue_has_the_eight_seed_types_in_their_groups():
    catalogue = Catalogue.load()
    assert {t.code: t.group.code for t in catalogue.types} == SEED_TYPES


def test_the_groups_carry_their_limits_and_mentorship_is_unlimited():
    groups = {g.code: (g.label, g.limit) for g in Catalogue.load().groups}
    assert groups == {
        "interview_prep": ("Interview prep", 3),
        "references": ("References", 3),
        "mentorship": ("Mentorship", None),
    }


@pytest.mark.parametrize("code", ["MOCK_INTERVIEW", "DOMAIN_COACHING", "BEHAVIORAL_PREP"])
def test_interview_prep_types_ask_for_domain_experience_and_target_role(code):
    session_type = Catalogue.load().get(code)
    assert session_type is not None
    assert [f.name for f in session_type.extra_fields] == ["domain", "experience", "target_role"]


def test_a_personal_reference_asks_for_the_organization_and_a_message():
    session_type = Catalogue.load().get("PERSONAL_REFERENCE")
    assert session_type is not None
    assert [f.name for f in session_type.extra_fields] == ["organization", "message"]
    assert session_type.extra_fields[1].max_length == 2000


@pytest.mark.parametrize(
    "code", ["career-guidance", "resume-review", "industry-insights", "skill-development"]
)
def test_mentorship_types_ask_for_no_extra_fields(code):
    session_type = Catalogue.load().get(code)
    assert session_type is not None
    assert session_type.extra_fields == ()


def test_types_of_a_group_and_unknown_codes():
    catalogue = Catalogue.load()
    assert catalogue.codes_in_group("references") == ("PERSONAL_REFERENCE",)
    assert catalogue.get("NOPE") is None
    assert catalogue.group_of("NOPE") is None


def test_suggested_tags_default_when_the_file_names_none():
    assert Catalogue.from_toml(MINIMAL).suggested_tags == DEFAULT_TAGS


def test_a_price_is_shown_next_to_the_label_and_absent_prices_show_nothing():
    catalogue = Catalogue.from_toml(
        MINIMAL.replace('group = "mentorship"', 'group = "mentorship"\nprice = "25 EUR"')
    )
    session_type = catalogue.get("career-guidance")
    assert session_type is not None
    assert session_type.describe() == "Career guidance (25 EUR)"
    mock = Catalogue.load().get("MOCK_INTERVIEW")
    assert mock is not None
    assert mock.describe() == "Mock interview"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("[[types]\ncode = ", "not valid TOML"),
        (MINIMAL.replace('group = "mentorship"', 'group = "astrology"'), "incomplete or wrong"),
        (MINIMAL + MINIMAL.split("\n", 4)[4], "duplicate session type codes"),
        ("[groups.mentorship]\nlabel = 'Mentorship'\n", "incomplete or wrong"),
        ("types = []\n", "no session types"),
        (MINIMAL + "default_duration = 90\n", "incomplete or wrong"),
        (MINIMAL + 'fields = ["shoe_size"]\n', "incomplete or wrong"),
        (MINIMAL.replace("[groups.mentorship]", '[groups.mentorship]\nlimit = "many"'), "wrong"),
        ("[types]\ncode = 'x'\n", "incomplete or wrong"),
    ],
    ids=[
        "malformed-toml",
        "unknown-group",
        "duplicate-code",
        "no-types-key",
        "empty-types",
        "duration-not-allowed",
        "unknown-field",
        "limit-not-a-number",
        "types-as-table",
    ],
)
def test_a_broken_catalogue_raises_catalogue_error(text, why):
    with pytest.raises(CatalogueError, match=why):
        Catalogue.from_toml(text)


def test_a_catalogue_file_on_disk_is_loaded(tmp_path):
    path = tmp_path / "catalogue.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    assert [t.code for t in Catalogue.load(path).types] == ["career-guidance"]
