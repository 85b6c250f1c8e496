"""Sessions can carry a locale of their own (null: the candidate's); a diagnosis records
the locale its texts were written in (null: English, as every earlier one was).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 20:20:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("locale", sa.String(length=35), nullable=True))
    with op.batch_alter_table("diagnoses") as batch:
        batch.add_column(sa.Column("locale", sa.String(length=35), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("diagnoses") as batch:
        batch.drop_column("locale")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("locale")
