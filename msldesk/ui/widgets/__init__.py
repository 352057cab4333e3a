"""Small widgets and helpers shared by every view of the desktop app."""
