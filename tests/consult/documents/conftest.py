"""Document inputs shared by the document tests."""

from __future__ import annotations

import pytest

from consult.documents.model import DocumentInput
from tests.helpers.documents import make_input


@pytest.fixture
def document() -> DocumentInput:
    return make_input()
