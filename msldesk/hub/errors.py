"""What can go wrong talking to the hub, in plain words (the CLI prints them; the GUI shows them)."""

from __future__ import annotations

from msldesk.core.errors import InvalidInputError, MsldeskError


class HubError(MsldeskError):
    kind = "hub"


class HubUnreachableError(HubError):
    """No server answered at the address, or the network went away."""

    kind = "hub-unreachable"


class HubLoginError(HubError):
    """The server answered but refused the name, the password or this computer."""

    kind = "hub-login"


class HubPermissionError(HubError):
    """Logged in, but the role may not do this (the database said so)."""

    kind = "hub-permission"


class HubNotReadyError(HubError):
    """The database has no hub schema yet, or one written by a newer msldesk."""

    kind = "hub-not-ready"


class InsecureHubError(InvalidInputError):
    """A DSN that would send passwords and records over the network without a checked TLS connection."""

    kind = "hub-insecure"
