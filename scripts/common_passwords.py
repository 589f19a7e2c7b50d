"""Regenerate resources/passwords/common-passwords.txt from the zxcvbn package.

    python -m venv /tmp/zx && /tmp/zx/bin/pip install zxcvbn==4.5.0
    /tmp/zx/bin/python scripts/common_passwords.py

zxcvbn (MIT) ships Dropbox's list of the 30,000 most common passwords, ranked by how
often they appear in leaked password sets. Consult refuses a new password found on it
(consult.protection.passwords); this script writes it one password a line, in rank order,
so an update is a reviewable diff. See resources/passwords/README.md.
"""

from __future__ import annotations

from pathlib import Path

from zxcvbn.frequency_lists import FREQUENCY_LISTS

TARGET = Path(__file__).resolve().parents[1] / "resources" / "passwords" / "common-passwords.txt"


def main() -> None:
    listed = FREQUENCY_LISTS["passwords"]
    words = listed.split(",") if isinstance(listed, str) else list(listed)
    TARGET.write_text("".join(f"{word}\n" for word in words), encoding="utf-8")
    print(f"{len(words)} passwords written to {TARGET}")


if __name__ == "__main__":
    main()
