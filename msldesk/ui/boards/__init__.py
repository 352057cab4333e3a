"""Boards section of the main window."""
