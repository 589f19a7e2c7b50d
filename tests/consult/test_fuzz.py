"""Hypothesis fuzzing of what a user or another program can hand Consult.

The loader's contract: any text at all either loads or raises a `ConsultError` naming
the problem; never a traceback. Whatever it accepts saves and loads back the same.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from reportlab.pdfbase import pdfmetrics

from consult.clinical import fileformat
from consult.documents import fonts
from consult.documents.build import document_input
from consult.documents.consent import build_consent
from consult.documents.model import FindingNote
from consult.errors import ConsultError, InvalidField
from consult.pricing import default_price_list, default_settings

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "spec" / "examples"
EXAMPLE = EXAMPLES / "rf-with-history.json"

# Modest counts: the whole suite must stay quick on two cores.
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)


def _valid_document() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def _load_or_consult_error(text: str) -> fileformat.Consultation | None:
    try:
        return fileformat.loads(text)
    except ConsultError as exc:
        assert str(exc).strip(), "a ConsultError must say what is wrong"
        return None


def _assert_round_trips(consultation: fileformat.Consultation) -> None:
    text = fileformat.dumps(consultation)
    text.encode("utf-8")  # what `save` writes must be encodable
    again = fileformat.loads(text)
    assert fileformat.to_dict(again) == fileformat.to_dict(consultation)


@FUZZ
@given(st.text(max_size=300))
@example("[" * 100_000)
@example('{"a":' * 100_000)
@example("NaN")
def test_arbitrary_text_only_ever_raises_consult_error(text: str) -> None:
    _load_or_consult_error(text)


@FUZZ
@given(json_values)
def test_arbitrary_json_documents_only_ever_raise_consult_error(document: object) -> None:
    _load_or_consult_error(json.dumps(document))


# Paths into a valid consult/1 document; each is replaced by an arbitrary JSON value.
FIELD_PATHS = [
    ("format",),
    ("consultation_date",),
    ("patient",),
    ("patient", "name"),
    ("patient", "date_of_birth"),
    ("patient", "fitzpatrick"),
    ("patient", "email"),
    ("patient", "phone"),
    ("treatment",),
    ("areas",),
    ("areas", 0),
    ("areas", 0, "area"),
    ("areas", 0, "concerns"),
    ("history",),
    ("history", "isotretinoin"),
    ("history", "isotretinoin", "status"),
    ("history", "isotretinoin", "date"),
    ("history", "tattoo", "areas"),
    ("history", "tattoo", "note"),
    ("history", "anticoagulants"),
    ("unknown_top_level_key",),
]


def _replace(document: dict, path: tuple, value: object) -> dict:
    container = document
    for key in path[:-1]:
        container = container[key]
    container[path[-1]] = value
    return document


@FUZZ
@given(st.sampled_from(FIELD_PATHS), json_values)
def test_one_bad_field_in_a_valid_file_is_a_consult_error_or_round_trips(
    path: tuple, value: object
) -> None:
    document = _replace(_valid_document(), path, value)
    consultation = _load_or_consult_error(json.dumps(document))
    if consultation is not None:
        _assert_round_trips(consultation)


@FUZZ
@given(
    name=st.text(min_size=1, max_size=200).filter(str.strip),
    note=st.text(max_size=500),
    phone=st.text(max_size=40),
)
def test_free_text_fields_load_and_round_trip_or_are_refused_by_name(
    name: str, note: str, phone: str
) -> None:
    document = _valid_document()
    document["patient"]["name"] = name
    document["patient"]["phone"] = phone
    document["history"]["tattoo"]["note"] = note
    try:
        consultation = fileformat.loads(json.dumps(document))
    except ConsultError as exc:
        assert str(exc).startswith(("patient.name", "patient.phone", "history.tattoo.note"))
        return
    assert consultation.patient.name == name
    _assert_round_trips(consultation)


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "a\\udc00b"])
def test_an_unpaired_surrogate_escape_is_refused_not_saved_broken(escape: str) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace("Marek Kowalczyk", escape)
    with pytest.raises(ConsultError, match="surrogate"):
        fileformat.loads(text)


def test_deep_nesting_is_a_clear_error() -> None:
    with pytest.raises(ConsultError, match="nested too deeply"):
        fileformat.loads("[" * 100_000)


# --------------------------------------------------------------------------- to the PDFs
#
# Free text typed by people (the patient's name, the practitioner's name, the notes of
# an agreed action) goes from a consult/1 file through the real document builder into
# the consent PDF. Whatever it is, the PDF builds; where the bundled font can draw it,
# pdftotext reads the same text back.

# A PDF takes most of a second: few examples, and no shrinking (each shrink step is
# another PDF), so a failure is reported as found.
PDF_FUZZ = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
_DRAWN_BIDI = {"L", "EN", "ES", "ET", "CS", "ON"}  # left-to-right and neutral characters
_NOT_PRINTED_AS_IS = {"Mn", "Mc", "Me", "Cf", "Cc", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"}


def _round_trip_alphabet() -> list[str]:
    """Characters DejaVu Sans draws and pdftotext returns unchanged.

    Characters beyond the Basic Multilingual Plane that DejaVu draws (Old Italic…) are
    in: the ToUnicode map writes them as UTF-16 surrogate pairs (consult.documents.fonts).
    Left out: right-to-left scripts (pdftotext reorders them for display; the names
    tests in tests/consult/documents/test_fonts.py cover them), combining marks and
    format characters (not drawn on their own), and compatibility forms such as the
    "ﬁ" ligature (pdftotext expands them).
    """
    fonts.register()
    covered = pdfmetrics.getFont(fonts.REGULAR).face.charToGlyph
    return [
        chr(code)
        for code in sorted(covered)
        if 0x20 < code
        and unicodedata.category(chr(code)) not in _NOT_PRINTED_AS_IS
        and unicodedata.bidirectional(chr(code)) in _DRAWN_BIDI
        and not unicodedata.decomposition(chr(code)).startswith("<")
    ]


_MARKUP = "<b>&amp;</b><br/><para>&lt;'\""
drawable_text = st.text(
    st.sampled_from(_round_trip_alphabet()) | st.sampled_from(list(_MARKUP)) | st.just(" "),
    min_size=1,
    max_size=300,
).filter(str.strip)


def _consent_from_file(name: str, practitioner: str) -> bytes | None:
    """The consent PDF for the example file with these names; None if the file is refused."""
    document = json.loads((EXAMPLES / "acne-scars.json").read_text(encoding="utf-8"))
    document["patient"]["name"] = name
    document["practitioner"] = practitioner
    consultation = _load_or_consult_error(json.dumps(document))
    if consultation is None:
        return None
    try:
        doc = document_input(consultation, default_price_list(), default_settings())
    except InvalidField as refused:
        # A character no bundled font has is refused, naming the field (never a box).
        assert refused.field in ("patient.name", "practitioner"), refused
        assert "no bundled font" in refused.problem
        return None
    return build_consent(doc)


def _pdftotext(pdf: bytes) -> str:
    # -raw: content-stream order, so a wrapped name's lines stay together.
    result = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8")


def _squeezed(text: str) -> str:
    return "".join(text.split())


@PDF_FUZZ
@given(
    name=st.text(min_size=1, max_size=fileformat.MAX_TEXT),
    practitioner=st.text(max_size=200),
)
@example(name="x" * fileformat.MAX_TEXT, practitioner="")
@example(name="🙂 王秀英 محمد <script>", practitioner="\u202eevil\u202c")
def test_any_text_in_the_names_still_gives_a_readable_consent_pdf(
    name: str, practitioner: str
) -> None:
    pdf = _consent_from_file(name, practitioner)
    if pdf is None:
        return
    assert pdf.startswith(b"%PDF-")
    assert "Consent" in _pdftotext(pdf)


@PDF_FUZZ
@given(name=drawable_text, practitioner=drawable_text)
@example(name="Zoë <b>O'Brien & Co</b>", practitioner="Dr Ελένη Παπαδοπούλου")
@example(name="Пётр " + "Ж" * 400, practitioner="&lt;/para&gt;")
def test_names_come_back_out_of_the_consent_pdf_exactly(name: str, practitioner: str) -> None:
    pdf = _consent_from_file(name, practitioner)
    assert pdf is not None, "drawable text is valid in a consult/1 file"
    text = _squeezed(_pdftotext(pdf))
    assert _squeezed(name) in text
    assert _squeezed(practitioner) in text


@PDF_FUZZ
@given(message=drawable_text, action=drawable_text)
def test_notes_of_a_finding_come_back_out_of_the_consent_pdf(message: str, action: str) -> None:
    consultation = fileformat.load(EXAMPLES / "acne-scars.json")
    doc = document_input(consultation, default_price_list(), default_settings())
    doc = dataclasses.replace(doc, findings=(FindingNote("precautions", message, action, ()),))
    text = _squeezed(_pdftotext(build_consent(doc)))
    assert _squeezed(message) in text
    assert _squeezed(action) in text
