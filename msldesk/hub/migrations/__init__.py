"""The hub's schema history (Alembic, separate from the library's): env.py and versions/."""

from __future__ import annotations


def run_sql(*statements: str) -> None:
    """Run SQL as written, on the migration's own connection and transaction. Straight to psycopg, with
    no parameters, so that PL/pgSQL's % and : reach the server untouched by SQLAlchemy or psycopg."""
    from alembic import op

    driver_connection = op.get_bind().connection.dbapi_connection
    assert driver_connection is not None
    cursor = driver_connection.cursor()
    try:
        for statement in statements:
            cursor.execute(statement)
    finally:
        cursor.close()
