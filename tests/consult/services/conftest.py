"""The service tests use the clinic database fixtures of tests/helpers/clinic.py.

Fixtures are found by name, so importing them here makes them this folder's; the
autouse one (Argon2 at its smallest cost) applies to every test in it. `clinic` (set
up, so documents can be sealed) and `pia` (its practitioner, signed in) are shared by
the tests of signing, the course, photos, amendments, clearance and approval.
"""

from tests.helpers.clinic import (  # noqa: F401
    ana,
    database_url,
    db,
    manager,
    other_practitioner,
    practitioner,
    quick_password_hashing,
    reception,
)
from tests.helpers.signing import clinic, pia  # noqa: F401
