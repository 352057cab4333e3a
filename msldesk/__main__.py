"""Entry point: `msldesk` starts the desktop app; `msldesk <command>` runs the command line."""

from __future__ import annotations

import sys
from collections.abc import Sequence

GUI_FLAGS = {"--gui"}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    wants_cli = any(not a.startswith("-") for a in args) or any(a in ("-h", "--help") for a in args)
    if wants_cli:
        from msldesk.cli import main as cli_main

        return cli_main(args)
    from msldesk.ui.app import run  # Qt is imported only for the GUI

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
