"""Database access: engine, sessions and schema migrations."""
