"""The patient form refuses text that would show something other than what is stored."""

from __future__ import annotations

from datetime import date

import pytest

from ui.patients.dialog import PatientDialog


class Recorder:
    def __init__(self) -> None:
        self.saved: list[dict] = []

    def __call__(self, values: dict) -> dict:
        self.saved.append(values)
        return values


@pytest.mark.parametrize(
    ("field", "label", "typed"),
    [
        ("name", "Name", "Ana \u202eazuoS"),
        ("name", "Name", "\u2066Ana\u2069 Souza"),
        ("phone", "Phone", "+1 555\u0085 0100"),
        ("email", "E-mail", "ana@example.org\u202c"),
    ],
)
def test_the_form_names_the_field_with_a_hidden_control(qtbot, field, label, typed):
    save = Recorder()
    dialog = PatientDialog(save)
    qtbot.addWidget(dialog)
    dialog.name.setText("Ana Souza")
    dialog.date_of_birth.setText("1989-04-02")
    getattr(dialog, field).setText(typed)
    dialog.submit()
    assert dialog.error.text().startswith(f"{label}: contains an invisible ")
    assert save.saved == []


def test_a_name_with_the_joiners_indic_scripts_need_is_saved(qtbot):
    save = Recorder()
    dialog = PatientDialog(save)
    qtbot.addWidget(dialog)
    name = "\u0915\u094d\u200d\u0937\u093f\u0924\u093f\u091c \u0936\u0930\u094d\u092e\u093e"
    dialog.name.setText(name)
    dialog.date_of_birth.setText("1989-04-02")
    dialog.submit()
    assert save.saved[0]["name"] == name
    assert save.saved[0]["date_of_birth"] == date(1989, 4, 2)
