"""The small helpers the test modules import give what their names promise."""

from __future__ import annotations

import pytest

from consult.documents.model import ConsentChoices
from consult.errors import InvalidField
from consult.storage.users import check_password
from tests.helpers.accounts import MANAGER_PASSWORD, STAFF_PASSWORD
from tests.helpers.documents import MARKUP_NAME, SIGNED_AT, make_input
from tests.helpers.paths import EXAMPLES, SHARED
from tests.helpers.qt import OFFSCREEN_SIZE_HINTS, stroke
from ui.widgets.signature_pad import SignaturePad


def test_the_shared_examples_are_found_beside_the_checkout():
    assert EXAMPLES.is_relative_to(SHARED)
    assert sorted(EXAMPLES.glob("*.json")), f"no consultation examples in {EXAMPLES}"


def test_the_test_passwords_pass_the_apps_password_rule():
    for password in (MANAGER_PASSWORD, STAFF_PASSWORD):
        check_password(password)
    with pytest.raises(InvalidField):
        check_password(MANAGER_PASSWORD[:5])


def test_a_document_input_is_signed_and_named_as_asked():
    signed = make_input()
    assert signed.patient is not None and signed.patient.name == MARKUP_NAME
    assert signed.signatures.complete and signed.signed_at == SIGNED_AT
    unsigned = make_input(name="Ana Souza", signed=False, treatment="rf_microneedling")
    assert unsigned.patient is not None and unsigned.patient.name == "Ana Souza"
    assert not unsigned.signatures.complete and unsigned.signed_at is None
    assert unsigned.is_rf


def test_a_document_input_takes_the_choices_and_findings_given():
    chosen = make_input(findings=(), choices=ConsentChoices(photography=False, marketing=True))
    assert chosen.findings == ()
    assert chosen.choices == ConsentChoices(photography=False, marketing=True)


def test_a_stroke_draws_on_a_signature_pad(qtbot):
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(300, 150)
    assert pad.is_empty()
    with qtbot.waitSignal(pad.changed, timeout=30000):
        stroke(pad, [(20, 40), (80, 90), (160, 50)])
    assert not pad.is_empty()


def test_the_offscreen_mark_ignores_only_the_size_hint_warning():
    assert OFFSCREEN_SIZE_HINTS.mark.name == "qt_log_ignore"
    assert OFFSCREEN_SIZE_HINTS.mark.args == ("This plugin does not support propagateSizeHints",)
