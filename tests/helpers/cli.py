"""The command-line tests sign in as the clinic's manager, as a clinic's script would."""

import pytest

from tests.consult.safety.clinic import CLI_PASSWORD, CLI_USER


@pytest.fixture(autouse=True)
def signed_in_through_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """CONSULT_USER / CONSULT_PASSWORD name the manager every test clinic is made with."""
    monkeypatch.setenv("CONSULT_USER", CLI_USER)
    monkeypatch.setenv("CONSULT_PASSWORD", CLI_PASSWORD)

