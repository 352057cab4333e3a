"""Check-in times in UTC, like every other instant in the library.

Until now `attendances.checked_in_at` held this computer's wall-clock time, so a laptop still on
its home zone showed a Berlin check-in at Boston time in the event editor and in exports. The column
becomes `checked_in_at_utc`; stored values are read as this computer's local time (what wrote
them) and converted.
"""

import datetime as dt
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0006_checkin_utc"
down_revision = "0005_audit"
branch_labels = None
depends_on = None


def _convert(old: str, new: str, to_new: Callable[[dt.datetime], dt.datetime]) -> None:
    op.alter_column("attendances", old, new_column_name=new)
    attendances = sa.table("attendances", sa.column("id", sa.Integer), sa.column(new, sa.DateTime))
    bind = op.get_bind()
    query = sa.select(attendances.c.id, attendances.c[new]).where(attendances.c[new].is_not(None))
    for row_id, moment in bind.execute(query).all():
        bind.execute(attendances.update().where(attendances.c.id == row_id).values({new: to_new(moment)}))


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone().replace(tzinfo=None)


def upgrade() -> None:
    # A naive datetime's astimezone() reads it as local time: the wall time this computer wrote.
    _convert("checked_in_at", "checked_in_at_utc", lambda m: m.astimezone(dt.UTC).replace(tzinfo=None))


def downgrade() -> None:
    _convert("checked_in_at_utc", "checked_in_at", lambda m: _local(m.replace(tzinfo=dt.UTC)))
