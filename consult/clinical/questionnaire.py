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
from consult.clinical.fileformat import KIND_CONDITION, PROCEDURE_KINDS, STATUSES, HistoryEntry
from consult.errors import ConsultError

RESOURCE = "questionnaire.toml"
# The fields of a history answer, in the order asked (`kind`: laser_or_peel only).
FOLLOW_UPS = ("status", "kind", "date", "areas", "note")
_CHOICES = ("status", "kind")  # follow-ups answered by picking one of `options`
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
    kind_labels: Mapping[str, str] = field(default_factory=dict, compare=False)
    # follow-up -> the statuses it is needed for (None: whatever the status)
    required: Mapping[str, frozenset[str] | None] = field(default_factory=dict, compare=False)

    def prompt_for(self, follow_up: str) -> str:
        return self.follow_up_prompts[follow_up]

    def missing(self, entry: HistoryEntry | None) -> tuple[str, ...]:
        """What this answer still lacks: ("answer",) for no answer, else required follow-ups.

        A required follow-up is one the screening needs to reach a verdict (the status
        that picks a rule, the date a window counts from, the kind of a laser or peel).
        """
        if entry is None:
            return (UNANSWERED,)
        if not entry.present:
            return ()
        values = {"status": entry.status, "kind": entry.kind, "date": entry.date}
        missing = []
        for follow_up, statuses in self.required.items():
            if statuses is not None and entry.status not in statuses:
                continue
            if values.get(follow_up) is None:
                missing.append(follow_up)
        return tuple(missing)


UNANSWERED = "answer"


@dataclass(frozen=True)
class Gap:
    """A question not answered, or a yes without a follow-up the screening needs."""

    condition: str
    label: str
    missing: tuple[str, ...]  # ("answer",) or the follow-ups, such as ("date",)

    def describe(self) -> str:
        if self.missing == (UNANSWERED,):
            return f"{self.label}: not answered"
        return f"{self.label}: {', '.join(self.missing)} not given"


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

    def unanswered(self, history: Mapping[str, HistoryEntry]) -> tuple[Gap, ...]:
        """Every question without an answer, or answered yes without a needed follow-up.

        For the app, where a question is asked in the room: silence is not "no". (A
        consult/1 file is a completed intake form, where a missing key means no.)
        """
        gaps = []
        for question in self.questions():
            missing = question.missing(history.get(question.condition))
            if missing:
                gaps.append(Gap(question.condition, question.label, missing))
        return tuple(gaps)


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
    if "kind" in follow_ups and condition != KIND_CONDITION:
        raise ConsultError(f"{where}.kind: only {KIND_CONDITION} has a kind")
    prompts: dict[str, str] = {}
    required: dict[str, frozenset[str] | None] = {}
    for key in follow_ups:
        follow_up = entry[key]
        if not isinstance(follow_up, dict):
            raise ConsultError(f'{where}.{key}: must be {{ prompt = "..." }}')
        allowed = ("prompt", "options", "required") if key in _CHOICES else ("prompt", "required")
        _only(follow_up, allowed, f"{where}.{key}")
        prompts[key] = _text(follow_up, "prompt", f"{where}.{key}")
        wanted, statuses = _required(follow_up.get("required", False), f"{where}.{key}.required")
        if wanted:
            required[key] = statuses
    status_labels = _options(entry.get("status"), STATUSES, f"{where}.status")
    kind_labels = _options(entry.get("kind"), PROCEDURE_KINDS, f"{where}.kind")
    return Question(
        condition,
        _text(entry, "label", where),
        _text(entry, "prompt", where),
        _text(entry, "help", where),
        follow_ups,
        tuple(status_labels),
        prompts,
        status_labels,
        kind_labels,
        required,
    )


def _required(value: Any, where: str) -> tuple[bool, frozenset[str] | None]:
    """`required = true`, `false`, or the statuses it is needed for (`["past"]`).

    Returns whether it is required and for which statuses (None: whatever the status).
    """
    if isinstance(value, bool):
        return value, None
    if isinstance(value, list) and value and all(status in STATUSES for status in value):
        return True, frozenset(value)
    raise ConsultError(f"{where}: must be true, false or a list of statuses")


def _options(follow_up: Any, allowed: tuple[str, ...], where: str) -> dict[str, str]:
    if follow_up is None:
        return {}
    options = follow_up.get("options")
    if not isinstance(options, dict) or len(options) < 2:
        raise ConsultError(f"{where}.options: must offer at least two choices")
    for key, label in options.items():
        if key not in allowed:
            raise ConsultError(f"{where}.options: {key!r} is not one of {', '.join(allowed)}")
        if not isinstance(label, str) or not label.strip():
            raise ConsultError(f"{where}.options.{key}: must be non-empty text")
    return dict(options)
