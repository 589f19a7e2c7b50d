"""The `amends` key of a consultation: the signed consent an amendment replaces.

A consult/1 file (or the app's amendment draft) may carry `"amends": "CS-…"`, the
document number of the signed consent it replaces. The consent and the plan then say
so under their own number; signing checks the number against the clinic's records.
"""

from __future__ import annotations

from consult.clinical.fileformat import Consultation
from consult.documents.numbers import check_document_number
from consult.errors import InvalidField

AMENDS_KEY = "amends"


def amended_number(consultation: Consultation) -> str | None:
    """The consent number the consultation amends, checked for its shape; None: none."""
    named = consultation.extra.get(AMENDS_KEY)
    if named is None:
        return None
    if not isinstance(named, str):
        raise InvalidField(AMENDS_KEY, "must be the document number of the signed consent")
    return check_document_number(named.strip(), "consent", AMENDS_KEY)
