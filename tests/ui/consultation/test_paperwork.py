"""The app's consent preview with names in any script, and its message for an unprintable one.

The consent step builds its preview with `unsigned_consent` on the thread pool and shows
a failure with `show_problem`; both are driven here directly.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace

import pytest
from PySide6.QtWidgets import QMessageBox

from consult.clinical import fileformat
from consult.errors import InvalidField
from consult.pricing import default_price_list, default_settings, options_from_consultation
from tests.consult.documents.pdfs import text_of
from ui.consultation.paperwork import PaperworkRequest, unsigned_consent
from ui.shell.errors import show_problem


def _request(examples, name: str) -> PaperworkRequest:
    consultation = fileformat.load(examples / "acne-scars.json")
    consultation = replace(consultation, patient=replace(consultation.patient, name=name))
    price_list = default_price_list()
    return PaperworkRequest(
        consultation=consultation,
        price_list=price_list,
        settings=default_settings(),
        logo=None,
        options=options_from_consultation(consultation, price_list),
        depths=(),
        practitioner="Dr Sara Cohen",
        photography=True,
        marketing=False,
    )


@pytest.mark.parametrize("name", ["فاطمة الزهراء", "李小龍", "김민준", "דוד לוי"])
def test_the_preview_prints_the_name_as_typed(examples, tmp_path, name):
    text = text_of(unsigned_consent(_request(examples, name)), tmp_path)
    printed = text.split("Name", 1)[1].split("Date of birth", 1)[0]
    printed = "".join(char for char in printed if unicodedata.category(char) != "Cf").strip()
    assert unicodedata.normalize("NFKC", printed) == unicodedata.normalize("NFKC", name)
    assert text.startswith("Clinic not set up\n")


def test_an_unprintable_name_is_one_clear_line_in_the_app(qtbot, examples, monkeypatch):
    with pytest.raises(InvalidField) as caught:
        unsigned_consent(_request(examples, "Ana \U00013000"))
    shown: list[str] = []

    def warning(_parent, _title: str, text: str, *rest) -> QMessageBox.StandardButton:
        shown.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", warning)
    show_problem(None, caught.value)
    assert shown == [
        'patient.name: "\U00013000" (U+13000 EGYPTIAN HIEROGLYPH A001) cannot be printed: '
        "no bundled font has it"
    ]
