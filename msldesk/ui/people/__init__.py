"""People section of the main window."""
