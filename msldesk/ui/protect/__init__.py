"""Protecting the library in the desktop app: passphrase, backups, restore, audit history, privacy."""
