"""The storage tests use the clinic database fixtures of tests/helpers/clinic.py.

Fixtures are found by name, so importing them here makes them this folder's; the
autouse one (Argon2 at its smallest cost) applies to every test in it.
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
    server,
)
