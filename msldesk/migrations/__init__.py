"""The database's schema history (Alembic): env.py and versions/."""
