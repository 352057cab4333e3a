"""The deck library's times in UTC, like every other moment in the library.

Until now decks, deck versions, saved collections and assemblies kept this computer's wall-clock time
of their creation, import or change. Stored values are read as this computer's local time (what wrote
them) and converted. SQLite's 'utc' modifier does that conversion; the fraction of the second is kept
as SQLAlchemy wrote it (zone offsets are whole minutes, so it does not change).
"""

from alembic import op

revision = "0012_deck_times_utc"
down_revision = "0011_agenda_note"
branch_labels = None
depends_on = None

COLUMNS = (
    ("decks", "created_at"),
    ("decks", "updated_at"),
    ("deck_versions", "imported_at"),
    ("collections", "created_at"),
    ("collections", "updated_at"),
    ("assemblies", "created_at"),
)


def _convert(modifier: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":  # PostgreSQL (when teams come) starts after this: no local times
        return
    for table, column in COLUMNS:
        # Characters 20 on are the fraction (".000000") SQLAlchemy writes after "YYYY-MM-DD HH:MM:SS".
        bind.exec_driver_sql(
            f"UPDATE {table} SET {column} = strftime('%Y-%m-%d %H:%M:%S', {column}, '{modifier}') "
            f"|| substr({column}, 20) WHERE {column} IS NOT NULL"
        )


def upgrade() -> None:
    _convert("utc")


def downgrade() -> None:
    _convert("localtime")
