"""msldesk: the Medical Science Liaison's desktop workbench."""

__version__ = "0.1.0"
