from __future__ import annotations

import re
from datetime import date

import pytest

from consult.clinical.fileformat import STATUSES, HistoryEntry
from consult.clinical.questionnaire import FOLLOW_UPS, parse_questionnaire, questionnaire
from consult.clinical.rules import rule_table
from consult.errors import ConsultError
from tests.helpers.paths import SHARED

SECTION_ORDER = ["medications", "skin", "medical", "procedures", "implants", "lifestyle"]


def spec_vocabulary() -> list[str]:
    """The keys of the history table in the public format's specification."""
    text = (SHARED / "spec" / "consultation-format.md").read_text(encoding="utf-8")
    history = text.split("## History", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z_]+)` \|", history, flags=re.MULTILINE)


def test_the_spec_vocabulary_is_read() -> None:
    keys = spec_vocabulary()
    assert len(keys) > 25 and "isotretinoin" in keys and "tattoo" in keys


def test_questionnaire_covers_exactly_the_spec_vocabulary() -> None:
    asked = questionnaire().conditions
    assert len(asked) == len(set(asked))
    assert sorted(asked) == sorted(spec_vocabulary())


def test_every_rule_condition_is_asked_and_the_rule_vocabulary_matches() -> None:
    asked = set(questionnaire().conditions)
    assert set(rule_table().conditions) == asked
    for rule in rule_table().rules:
        assert rule.condition is None or rule.condition in asked, rule.id


def test_sections_come_in_the_order_a_practitioner_asks() -> None:
    sections = questionnaire().sections
    assert [section.id for section in sections] == SECTION_ORDER
    assert sections[0].title == "Medications" and sections[1].title == "The skin today"


def test_every_question_is_plain_words_with_its_follow_ups() -> None:
    for question in questionnaire().questions():
        assert question.prompt.endswith("?"), question.condition
        assert question.label and question.help
        assert set(question.follow_ups) <= set(FOLLOW_UPS)
        for follow_up in question.follow_ups:
            assert question.prompt_for(follow_up).strip()
        if "status" in question.follow_ups:
            assert len(question.statuses) >= 2
            assert set(question.statuses) <= set(STATUSES)
            assert all(question.status_labels[status] for status in question.statuses)
        else:
            assert question.statuses == ()


@pytest.mark.parametrize(
    ("condition", "follow_ups", "statuses"),
    [
        ("isotretinoin", ("status", "date"), ("current", "past")),
        ("cold_sores", ("status",), ("active", "history")),
        ("dermal_filler", ("status", "date", "areas"), ("past", "current")),
        ("laser_or_peel", ("kind", "date", "areas", "note"), ()),
        ("tattoo", ("areas",), ()),
        ("pregnant", (), ()),
    ],
)
def test_follow_ups_match_the_fields_that_matter(
    condition: str, follow_ups: tuple[str, ...], statuses: tuple[str, ...]
) -> None:
    question = questionnaire().question(condition)
    assert question.follow_ups == follow_ups
    assert question.statuses == statuses


def test_unknown_condition_lookup_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        questionnaire().question("astrology")


def test_anticoagulant_question_never_suggests_stopping() -> None:
    question = questionnaire().question("anticoagulants")
    assert "never advise stopping" in question.help.lower()


def one_question(**question: object) -> dict[str, object]:
    base: dict[str, object] = {"condition": "smoker", "label": "Smoking", "prompt": "Do you smoke?"}
    base["help"] = "Slower healing."
    return {"section": [{"id": "life", "title": "Lifestyle", "question": [{**base, **question}]}]}


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ({"colour": "red"}, "question 'smoker': unknown key 'colour'"),
        ({"prompt": ""}, "question 'smoker'.prompt: must be non-empty"),
        ({"date": "When?"}, "question 'smoker'.date: must be"),
        ({"date": {"prompt": "When?", "options": {}}}, "question 'smoker'.date: unknown key"),
        ({"status": {"prompt": "Now?"}}, "status.options: must offer at least two"),
        ({"status": {"prompt": "Now?", "options": {"now": "a", "past": "b"}}}, "'now' is not one"),
    ],
)
def test_mistakes_in_the_file_name_the_question(question: dict[str, object], expected: str) -> None:
    with pytest.raises(ConsultError, match=re.escape(expected)):
        parse_questionnaire(one_question(**question))


def test_a_question_asked_twice_is_refused() -> None:
    raw = one_question()
    raw["section"].append(dict(raw["section"][0]))  # type: ignore[attr-defined]
    with pytest.raises(ConsultError, match="'smoker' is asked twice"):
        parse_questionnaire(raw)


def _every_question_no() -> dict[str, HistoryEntry]:
    return {condition: HistoryEntry(present=False) for condition in questionnaire().conditions}


def test_nothing_answered_is_every_question_unanswered() -> None:
    gaps = questionnaire().unanswered({})
    assert [gap.condition for gap in gaps] == list(questionnaire().conditions)
    assert all(gap.describe().endswith(": not answered") for gap in gaps)


def test_every_question_answered_no_leaves_nothing_unanswered() -> None:
    assert questionnaire().unanswered(_every_question_no()) == ()


@pytest.mark.parametrize(
    ("condition", "entry", "missing"),
    [
        ("smoker", HistoryEntry(), ("status",)),
        ("smoker", HistoryEntry(status="past"), ()),
        ("isotretinoin", HistoryEntry(status="past"), ("date",)),
        ("isotretinoin", HistoryEntry(status="current"), ()),
        ("isotretinoin", HistoryEntry(), ("status",)),
        ("sunburn", HistoryEntry(areas=("cheeks",)), ("date",)),
        ("laser_or_peel", HistoryEntry(date=date(2026, 10, 1)), ()),  # kind may be unknown
        ("tattoo", HistoryEntry(), ()),  # no areas: every requested area, the safe side
        ("pregnant", HistoryEntry(as_flag=True), ()),
    ],
)
def test_a_yes_needs_the_follow_ups_the_screening_needs(
    condition: str, entry: HistoryEntry, missing: tuple[str, ...]
) -> None:
    history = {**_every_question_no(), condition: entry}
    gaps = questionnaire().unanswered(history)
    expected = [(condition, missing)] if missing else []
    assert [(gap.condition, gap.missing) for gap in gaps] == expected


def test_required_must_be_true_false_or_statuses() -> None:
    raw = {
        "section": [
            {
                "id": "s",
                "title": "S",
                "question": [
                    {
                        "condition": "smoker",
                        "label": "Smoking",
                        "prompt": "Do you smoke?",
                        "help": "h",
                        "date": {"prompt": "When?", "required": "yes"},
                    }
                ],
            }
        ]
    }
    with pytest.raises(ConsultError, match=re.escape("question 'smoker'.date.required")):
        parse_questionnaire(raw)
