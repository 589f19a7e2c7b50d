"""The wrapping label answers as a plain word-wrapped QLabel would, text and font changes too."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel

from ui.widgets.wrapping_label import WrappingLabel

PROMPT = (
    "Do you take any prescribed blood thinners, such as warfarin, apixaban, rivaroxaban, "
    "clopidogrel or a daily aspirin from your doctor?"
)
WIDTHS = (80, 160, 240, 480, 960)


def _plain(text: str, font: QFont | None = None) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    if font is not None:
        label.setFont(font)
    return label


def test_its_height_for_each_width_is_a_word_wrapped_labels(qtbot):
    label = WrappingLabel(PROMPT, None)
    qtbot.addWidget(label)
    plain = _plain(PROMPT)
    qtbot.addWidget(plain)
    assert label.wordWrap()
    for width in WIDTHS + WIDTHS:  # the second time round from what it kept
        assert label.heightForWidth(width) == plain.heightForWidth(width)
    assert label.heightForWidth(80) > label.heightForWidth(960)


def test_new_text_or_a_bigger_font_gives_new_heights(qtbot):
    label = WrappingLabel("Smoker?", None)
    qtbot.addWidget(label)
    short = label.heightForWidth(160)
    label.setText(PROMPT)
    assert label.heightForWidth(160) > short

    big = QFont(label.font())
    big.setPointSizeF(label.font().pointSizeF() * 2)
    before = label.heightForWidth(160)
    label.setFont(big)
    plain = _plain(PROMPT, big)
    qtbot.addWidget(plain)
    assert label.heightForWidth(160) == plain.heightForWidth(160) > before
