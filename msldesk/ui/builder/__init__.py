"""The deck builder: a tray of picked slides that becomes a new deck."""
