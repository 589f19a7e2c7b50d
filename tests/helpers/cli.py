"""The command-line tests sign in as the clinic's manager, as a clinic's script would."""

import pytest

from consult.storage import users
from tests.consult.safety.clinic import CLI_PASSWORD, CLI_USER


@pytest.fixture(autouse=True)
def signed_in_through_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """CONSULT_USER / CONSULT_PASSWORD name the manager every test clinic is made with."""
    monkeypatch.setenv("CONSULT_USER", CLI_USER)
    monkeypatch.setenv("CONSULT_PASSWORD", CLI_PASSWORD)


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its smallest cost for the accounts these tests make: the hashes are real
    (and a command run as a child process verifies them with the cost they carry)."""
    from argon2 import PasswordHasher

    cheap = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    monkeypatch.setattr(users, "_hasher", lambda: cheap)
