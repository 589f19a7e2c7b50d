"""Every name printed right: names in many scripts, read back from the PDFs with pdftotext.

pdftotext returns right-to-left text in logical order and marks each right-to-left run
with Unicode embedding controls (U+202B … U+202C); those are its own additions and are
removed before comparing. Names are compared after NFC and after NFKC normalisation.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest

from consult.app.cli import main
from consult.documents.consent import build_consent
from consult.documents.model import Clinic, PatientIdentity
from consult.documents.plan import build_plan
from consult.documents.text import esc
from consult.errors import ConsultError, InvalidField
from tests.consult.documents.pdfs import flat, text_of
from tests.helpers.documents import make_input

NAMES = [
    # Latin with diacritics, precomposed and decomposed
    "Zoë Ångström",
    "Nguyễn Thị Minh Khai",
    "Łukasz Żółć",
    "Çağrı Öztürk",
    "Dvořák Søren",
    "Siân Ó Briain",
    "Ngũgĩ wa Thiong'o",
    "Zoe\u0308 Ame\u0301lie",
    # Greek, Cyrillic, Armenian, Georgian
    "Σωκράτης Παπαδόπουλος",
    "Пётр Ильич Чайковский",
    "Արամ Խաչատրյան",
    "გიორგი ბერიძე",
    # Arabic (joining, lam-alef, vowel marks, Persian letters) and Hebrew (with niqqud)
    "محمد علي",
    "فاطمة الزهراء",
    "عبد الله بن عمر",
    "لأحمد",
    "مُحَمَّد",
    "پرویز گلاره",
    "דוד לוי",
    "אברהם כהן",
    "יִצְחָק",
    # Chinese, Japanese, Korean
    "李小龍",
    "王秀英",
    "山田 太郎",
    "さくら ヤマダ",
    "김민준",
    "이서연",
    # Mixed scripts in one name: per-character font fallback
    "Ana 李 محمد",
    "Kim 김 Li 李",
    "Smith דוד",
    "محمد Smith",
    "דוד Levi Cohen",
    "Ana محمد Smith",
    "李 محمد",
    # Outside the Basic Multilingual Plane (Old Italic, printed by DejaVu)
    "𐌀𐌁𐌂 Old",
]
_PDFTOTEXT_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _printed_name(text: str, label: str, after: str) -> str:
    found = text.split(label, 1)[1].split(after, 1)[0]
    return _PDFTOTEXT_MARKS.sub("", found).strip()


def _same(typed: str, printed: str) -> bool:
    return any(
        unicodedata.normalize(form, typed) == unicodedata.normalize(form, printed)
        for form in ("NFC", "NFKC")
    )


@pytest.mark.parametrize("name", NAMES)
def test_a_name_comes_back_from_the_consent_as_typed(name, tmp_path):
    text = text_of(build_consent(make_input(name=name)), tmp_path)
    printed = _printed_name(text, "Name", "Date of birth")
    assert _same(name, printed), (name, printed)


@pytest.mark.parametrize("name", ["محمد علي", "יִצְחָק", "Ana 李 محمد", "김민준", "𐌀𐌁𐌂 Old"])
def test_a_name_comes_back_from_the_plan_as_typed(name, tmp_path):
    text = text_of(build_plan(make_input(name=name)), tmp_path)
    printed = _printed_name(text, "Patient", "Date of birth")
    assert _same(name, printed), (name, printed)


def test_right_to_left_names_are_in_display_order_and_joined():
    # محمد: final dal, medial meem, medial hah, initial meem from left to right.
    assert esc("محمد") == '<font name="NotoSansArabic">\ufeaa\ufee4\ufea4\ufee3</font>'
    # lam-alef is one ligature glyph
    assert esc("لا") == '<font name="NotoSansArabic">\ufefb</font>'
    # Hebrew: the letters reversed, the words kept in order around the Latin name.
    hebrew = '<font name="NotoSansHebrew">{}</font>'
    assert esc("Smith דוד לוי") == f"Smith {hebrew.format('יול')} {hebrew.format('דוד')}"


def test_other_scripts_take_their_own_fonts_and_bold_faces():
    assert esc("Ana 李") == 'Ana <font name="DroidSansFallback">李</font>'
    assert esc("김") == '<font name="NanumSquare">김</font>'
    assert esc("علي", bold=True).startswith('<font name="NotoSansArabic-Bold">')
    assert esc("Zoë <b>") == "Zoë &lt;b&gt;"


def _fonts_in(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout


def test_the_fallback_faces_are_embedded(tmp_path):
    doc = make_input(name="Ana 李 محمد 김 דוד")
    listed = _fonts_in(build_consent(doc), tmp_path)
    for face in ("NotoSansArabic", "NotoSansHebrew", "DroidSans", "Nanum"):
        line = next(line for line in listed.splitlines() if face in line)
        assert " yes yes " in line  # embedded, as a subset
    assert "Type 3" not in listed


def test_clinic_practitioner_and_footer_in_other_scripts(tmp_path):
    clinic = Clinic("عيادة النور", "شارع الملك فهد الرياض", "+966 11 000 0000", set_up=True)
    doc = replace(make_input(), clinic=clinic, practitioner="ד״ר שרה כהן")
    text = _PDFTOTEXT_MARKS.sub("", text_of(build_consent(doc), tmp_path))
    normalised = unicodedata.normalize("NFKC", text)
    assert normalised.startswith("عيادة النور")
    assert "شارع الملك فهد الرياض" in normalised
    assert unicodedata.normalize("NFKC", "ד״ר שרה כהן") in normalised
    # The page footer (drawn on the canvas) names the clinic too, on every page.
    pages = [page for page in normalised.split("\f") if page.strip()]
    assert len(pages) >= 2
    for page in pages:
        assert "عيادة النور · Consent to micro-needling treatment · Document" in page


def test_a_character_no_font_has_is_refused_naming_the_field():
    with pytest.raises(InvalidField) as caught:
        make_input(name="Ana \U00013000")  # an Egyptian hieroglyph
    assert caught.value.field == "patient.name"
    assert "U+13000" in str(caught.value) and "no bundled font" in str(caught.value)
    with pytest.raises(InvalidField) as caught:
        replace(make_input(), practitioner="Dr \u0e2a\u0e21")  # Thai: no bundled face
    assert caught.value.field == "practitioner"
    with pytest.raises(InvalidField) as caught:
        replace(
            make_input(),
            patient=PatientIdentity("Ana", make_input().patient.date_of_birth),
            clinic=Clinic("Clinic \U0001f9a9", "1 Road", "1"),
        )
    assert caught.value.field == "clinic.name"


def test_the_command_line_refuses_an_unprintable_name(capsys, examples, tmp_path):
    consultation = json.loads((examples / "acne-scars.json").read_text(encoding="utf-8"))
    consultation["patient"]["name"] = "Ana \U00013000"
    source = tmp_path / "patient.json"
    source.write_text(json.dumps(consultation, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out"
    code = main(["documents", str(source), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert captured.err.startswith("error: patient.name: ")
    assert "U+13000" in captured.err and captured.err.count("\n") == 1
    assert not out.exists() or not any(out.iterdir())


def test_the_command_line_prints_an_arabic_name(capsys, examples, tmp_path):
    consultation = json.loads((examples / "acne-scars.json").read_text(encoding="utf-8"))
    consultation["patient"]["name"] = "فاطمة الزهراء"
    source = tmp_path / "patient.json"
    source.write_text(json.dumps(consultation, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["documents", str(source), "--out", str(out)]) == 0
    capsys.readouterr()
    for kind, label in (("consent", "Name"), ("plan", "Patient")):
        text = text_of((out / f"{kind}.pdf").read_bytes(), tmp_path, f"{kind}.pdf")
        assert _same("فاطمة الزهراء", _printed_name(text, label, "Date of birth"))


def test_a_latin_document_loads_no_fallback_font(tmp_path):
    """Fallback faces cost time and memory; a Latin-only document must not read them."""
    script = (
        "from reportlab.pdfbase import pdfmetrics\n"
        "from tests.helpers.documents import make_input\n"
        "from consult.documents.consent import build_consent\n"
        "from consult.documents.plan import build_plan\n"
        "doc = make_input(name='Zoë Ångström-Łukasz')\n"
        "build_consent(doc); build_plan(doc)\n"
        "print(sorted(pdfmetrics.getRegisteredFontNames()))\n"
    )
    root = Path(__file__).resolve().parents[3]
    # A child process has no test keyring: it seals with a passphrase of its own.
    environment = {
        **os.environ,
        "CONSULT_SEAL_PASSPHRASE": "a passphrase for this test only",
        "CONSULT_DATA_DIR": tempfile.mkdtemp(prefix="consult-fonts-"),
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=root,
        check=True,
        env=environment,
    )
    registered = result.stdout
    assert "DejaVuSans" in registered
    for face in ("NotoSans", "Droid", "Nanum"):
        assert face not in registered
    assert flat(registered)


def test_direction_controls_and_unassigned_characters_never_crash_the_layout():
    # Isolates (which python-bidi's algorithm predates) nest like embeddings, print no ink.
    assert esc("Ana \u2067דוד\u2069") == 'Ana <font name="NotoSansHebrew">דוד</font>'
    assert esc("\u2068محمد\u2069 Ana").endswith(" Ana")
    with pytest.raises(ConsultError, match=r"U\+18D09"):
        esc("Ana \U00018d09")  # not assigned in this Python's Unicode tables
