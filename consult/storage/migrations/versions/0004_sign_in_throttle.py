"""Sign-in throttling: count wrong passwords in a row, lock the account for a while.

`failed_sign_ins` counts consecutive wrong passwords (0 after a success or a lock);
`locked_until` is the UTC instant until which the account refuses to sign in (NULL:
not locked). Existing accounts start unlocked with no failures.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consult.storage.types import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN on both engines: no copy of the users table, which
    # other tables' foreign keys point at.
    op.add_column(
        "users", sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column("users", sa.Column("locked_until", UTCDateTime(), nullable=True))


def downgrade() -> None:
    # ALTER TABLE DROP COLUMN (SQLite 3.35+), not a batch copy: dropping the copied
    # users table would break the foreign keys pointing at it.
    op.drop_column("users", "locked_until")
    op.drop_column("users", "failed_sign_ins")
