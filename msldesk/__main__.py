"""Entry point: `msldesk` starts the desktop app; `msldesk <command>` runs the command line."""

from __future__ import annotations

import sys
from collections.abc import Sequence

CLI_COMMANDS = {
    "import",
    "decks",
    "slides",
    "search",
    "deck",
    "thumbnails",
    "compose",
    "collections",
    "collection",
    "events",
    "event",
    "people",
    "payments",
    "fmv",
    "note",
    "export",
    "audit",
    "backup",
    "restore",
    "check",
    "team",
    "hub",
}
OPTIONS_WITH_VALUE = {"--data-dir"}


def wants_cli(args: Sequence[str]) -> bool:
    """True when the arguments name a command (or ask for help); otherwise start the GUI."""
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in OPTIONS_WITH_VALUE:
            skip = True
        elif arg in ("-h", "--help", "--version"):
            return True
        elif not arg.startswith("-"):
            return True  # a command, or a typo the CLI will explain
    return False


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--version"]:  # answered before anything else loads (the CLI's parser says the same)
        from msldesk import __version__

        print(f"msldesk {__version__}")
        return 0
    if "--self-test" in args:
        from msldesk.cli.selftest import run as self_test
        from msldesk.ui.selftest import check_qt  # imports Qt only inside the check

        return self_test(extra_checks=[("Qt", check_qt)])
    if wants_cli(args):
        from msldesk.cli.main import main as cli_main

        return cli_main(args)
    from msldesk.ui.desktop_check import desktop_problem

    problem = desktop_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    import gc

    # No collections while the start allocates (they cost ~5 ms before the window shows); the app
    # turns the collector back on once its window is on screen.
    gc.disable()
    from msldesk.ui.app import run  # Qt is imported only for the GUI

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
