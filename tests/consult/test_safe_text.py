"""Names and free text cannot carry characters that make them show something else."""

from __future__ import annotations

import pytest

from consult.errors import InvalidField
from consult.protection.safe_text import check_text, text_problem

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]


@pytest.mark.parametrize("control", BIDI, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("multiline", [False, True])
def test_every_bidirectional_control_is_refused_naming_the_field(control, multiline):
    with pytest.raises(InvalidField) as caught:
        check_text(f"Ana{control}znuoS", "patient.name", multiline=multiline)
    assert caught.value.field == "patient.name"
    assert str(caught.value) == (
        f"patient.name: contains an invisible bidirectional control character "
        f"(U+{ord(control):04X}) that can make the text show in a misleading order"
    )


@pytest.mark.parametrize("code", [0x00, 0x07, 0x1B, 0x7F, 0x80, 0x85, 0x9B, 0x9F])
def test_c0_del_and_c1_controls_are_refused_even_in_free_text(code):
    for multiline in (False, True):
        assert text_problem(f"a{chr(code)}b", multiline=multiline) == (
            f"contains an invisible control character (U+{code:04X})"
        )


def test_line_breaks_and_tabs_only_in_multi_line_free_text():
    note = "first line\nsecond\tline\r\nthird"
    assert check_text(note, "history.botox.note", multiline=True) == note
    with pytest.raises(InvalidField, match=r"^patient.name: must be on one line"):
        check_text("Ana\nSouza", "patient.name")
    assert text_problem("Ana\tSouza") == "contains an invisible control character (U+0009)"
    assert text_problem("Ana\u2028Souza") == (
        "must be on one line (it contains a line break, U+2028)"
    )
    # A carriage return alone can make a line overwrite its own start in a terminal.
    assert text_problem("paid\rrefunded", multiline=True) == (
        "contains an invisible control character (U+000D)"
    )


@pytest.mark.parametrize(
    "name",
    [
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian: ZWNJ inside a word
        "\u0915\u094d\u200d\u0937",  # Devanagari with a zero-width joiner
        "\u0645\u062d\u0645\u062f \u200fSouza",  # a right-to-left mark between scripts
        "Zoë Ångström",
        "王秀英",
    ],
)
def test_names_real_scripts_need_are_kept(name):
    assert check_text(name, "patient.name") == name
