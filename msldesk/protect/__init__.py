"""Protecting the library: the audit trail, backups and restores, the guard against replacement."""
