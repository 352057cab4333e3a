"""The msldesk command line: the same services as the desktop app, without Qt."""
