"""The medical-history questionnaire, read from resources/questionnaire.toml.

One question per condition of the consult/1 history vocabulary, grouped into the
sections a practitioner works through. The app builds its history form from it; the
answers are stored under each question's `condition` key.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from consult import data
from consult.errors import ConsultError
from consult.fileformat import STATUSES

RESOURCE = "questionnaire.toml"
FOLLOW_UPS = ("status", "date", "areas", "note")  # the fields of a history answer, in order
_QUESTION_KEYS = ("condition", "label", "prompt", "help", *FOLLOW_UPS)


@dataclass(frozen=True)
class Question:
    condition: str
    label: str
    prompt: str
    help: str
    follow_ups: tuple[str, ...]  # which of status/date/areas/note to ask after a yes
    statuses: tuple[str, ...]  # the statuses a `status` follow-up offers, in order
    follow_up_prompts: Mapping[str, str] = field(default_factory=dict, compare=False)
    status_labels: Mapping[str, str] = field(default_factory=dict, compare=False)

    def prompt_for(self, follow_up: str) -> str:
        return self.follow_up_prompts[follow_up]


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Questionnaire:
    sections: tuple[Section, ...]

    def questions(self) -> Iterator[Question]:
        for section in self.sections:
            yield from section.questions

    @property
    def conditions(self) -> tuple[str, ...]:
        return tuple(question.condition for question in self.questions())

    def question(self, condition: str) -> Question:
        for question in self.questions():
            if question.condition == condition:
                return question
        raise KeyError(condition)


@cache
def questionnaire() -> Questionnaire:
    """The clinic's questionnaire, read and checked once per process."""
    return parse_questionnaire(data.read_toml(RESOURCE))


def parse_questionnaire(raw: Mapping[str, Any]) -> Questionnaire:
    _only(raw, ("section",), RESOURCE)
    sections = raw.get("section")
    if not isinstance(sections, list) or not sections:
        raise ConsultError(f"{RESOURCE}: at least one [[section]] is required")
    built = tuple(_section(entry, index) for index, entry in enumerate(sections))
    seen: set[str] = set()
    for question in Questionnaire(built).questions():
        if question.condition in seen:
            raise ConsultError(f"{RESOURCE}: question {question.condition!r} is asked twice")
        seen.add(question.condition)
    return Questionnaire(built)


def _only(entry: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    unknown = sorted(set(entry) - set(allowed))
    if unknown:
        raise ConsultError(f"{where}: unknown key {unknown[0]!r}")


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConsultError(f"{where}.{key}: must be non-empty text")
    return value


def _section(entry: Any, index: int) -> Section:
    where = f"{RESOURCE}: section[{index}]"
    if not isinstance(entry, dict):
        raise ConsultError(f"{where}: must be a table")
    _only(entry, ("id", "title", "question"), where)
    questions = entry.get("question")
    if not isinstance(questions, list) or not questions:
        raise ConsultError(f"{where}: needs at least one [[section.question]]")
    return Section(
        _text(entry, "id", where),
        _text(entry, "title", where),
        tuple(_question(item, f"{where}.question[{i}]") for i, item in enumerate(questions)),
    )


def _question(entry: Any, where: str) -> Question:
    if not isinstance(entry, dict):
        raise ConsultError(f"{where}: must be a table")
    condition = _text(entry, "condition", where)
    where = f"{RESOURCE}: question {condition!r}"
    _only(entry, _QUESTION_KEYS, where)
    follow_ups = tuple(key for key in FOLLOW_UPS if key in entry)
    prompts: dict[str, str] = {}
    for key in follow_ups:
        follow_up = entry[key]
        if not isinstance(follow_up, dict):
            raise ConsultError(f'{where}.{key}: must be {{ prompt = "..." }}')
        allowed = ("prompt", "options") if key == "status" else ("prompt",)
        _only(follow_up, allowed, f"{where}.{key}")
        prompts[key] = _text(follow_up, "prompt", f"{where}.{key}")
    status_labels = _status_options(entry.get("status"), where)
    return Question(
        condition,
        _text(entry, "label", where),
        _text(entry, "prompt", where),
        _text(entry, "help", where),
        follow_ups,
        tuple(status_labels),
        prompts,
        status_labels,
    )


def _status_options(status: Any, where: str) -> dict[str, str]:
    if status is None:
        return {}
    options = status.get("options")
    if not isinstance(options, dict) or len(options) < 2:
        raise ConsultError(f"{where}.status.options: must offer at least two statuses")
    for key, label in options.items():
        if key not in STATUSES:
            raise ConsultError(
                f"{where}.status.options: {key!r} is not one of {', '.join(STATUSES)}"
            )
        if not isinstance(label, str) or not label.strip():
            raise ConsultError(f"{where}.status.options.{key}: must be non-empty text")
    return dict(options)
