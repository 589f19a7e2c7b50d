"""The command line reaches the clinic's records through the services only, as the app does.

Nothing under consult/commands imports SQLAlchemy or consult.storage (any import form,
`if TYPE_CHECKING:` included), so a command cannot skip the permission gate, the
audit trail or the one transaction of a use case.
"""

from __future__ import annotations

from pathlib import Path

import consult
from tests.helpers.imports import imports_of

ROOT = Path(consult.__file__).resolve().parents[1]
FORBIDDEN = ("sqlalchemy", "consult.storage")


def test_no_command_imports_storage_or_sqlalchemy():
    offences = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / "consult" / "commands").rglob("*.py"))
        for name in sorted(imports_of(path, ROOT))
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN)
    ]
    assert offences == []


def test_the_check_reads_the_commands():
    assert len(list((ROOT / "consult" / "commands").glob("*.py"))) > 8
