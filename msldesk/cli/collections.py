"""Command-line verbs for saved slide collections: list, save (replacing one only with --replace), and
delete (naming the event agendas that link a collection and asking first)."""

from __future__ import annotations

import argparse
from typing import Any

from msldesk.cli.ask import asked, event_use_json
from msldesk.cli.output import EXIT_OK, number_arg, print_json
from msldesk.core import clock
from msldesk.core.errors import InvalidInputError
from msldesk.core.wording import plural


def add_collection_commands(commands: Any) -> None:
    """Add `collections` and `collection` to the CLI's subparsers."""
    p = commands.add_parser("collections", help="list saved slide collections")
    p.add_argument("--json", action="store_true")

    p = commands.add_parser("collection", help="save or delete a slide collection")
    collection_commands = p.add_subparsers(dest="collection_command", required=True)
    s = collection_commands.add_parser(
        "save",
        help="save slides under a name; a collection of that name holding other slides is replaced only "
        "with --replace (event agendas linking it then show the new slides and keep a note)",
    )
    s.add_argument("name")
    s.add_argument("slide_ids", nargs="+", type=number_arg, metavar="SLIDE_ID")
    s.add_argument("--replace", action="store_true", help="replace the slides of an existing collection")
    s.add_argument("--json", action="store_true")
    s = collection_commands.add_parser(
        "delete",
        help="delete a collection (its slides stay in the library); when event agendas link it, it names "
        "them and asks first, and those agenda items keep a note",
    )
    s.add_argument("name")
    s.add_argument(
        "--yes", action="store_true", help="do not ask (needed when agendas link it and not on a terminal)"
    )
    s.add_argument("--json", action="store_true")


def cmd_collections(app: Any, args: argparse.Namespace) -> int:
    collections = app.assembly.collections()
    if args.json:
        print_json(
            [
                {"name": c.name, "slide_ids": list(c.slide_ids), "updated_at": c.updated_at, "note": c.note}
                for c in collections
            ]
        )
    else:
        for c in collections:
            updated = clock.local(c.updated_at)
            print(f"{c.name}: {plural(len(c.slide_ids), 'slide')} (updated {updated:%Y-%m-%d %H:%M})")
            for line in c.note.splitlines():
                print(f"  note: {line}")
    return EXIT_OK


def cmd_collection(app: Any, args: argparse.Namespace) -> int:
    if args.collection_command == "save":
        return _save_collection(app, args)
    return _delete_collection(app, args)


def _save_collection(app: Any, args: argparse.Namespace) -> int:
    """A new name is saved at once; an existing collection holding other slides is replaced only with
    --replace (a script that saved over one by mistake would change what agendas show), and the
    refusal names the event agendas that link it."""
    plan = app.assembly.replacement_plan(args.name, args.slide_ids)
    if plan is not None and not plan.unchanged and not args.replace:
        used = "; ".join(u.linked() for u in plan.in_use)
        linked = f" Event agendas link it: {used}; they would show the new slides." if used else ""
        raise InvalidInputError(
            f"There is already a collection named “{plan.name}”. {plan.change()}{linked} Run again with "
            "--replace to replace its slides, or save under another name."
        )
    app.assembly.save_collection(args.name, args.slide_ids, replace=args.replace)
    replaced = plan is not None and not plan.unchanged
    if args.json:
        print_json(
            {"name": plan.name if plan else " ".join(args.name.split()), "slide_ids": args.slide_ids,
             "replaced": replaced, "events": [event_use_json(u) for u in plan.in_use] if plan else []}
        )  # fmt: skip
        return EXIT_OK
    if not replaced:
        print(f"saved collection {args.name!r} ({plural(len(args.slide_ids), 'slide')})")
        return EXIT_OK
    assert plan is not None
    print(f"replaced the slides of collection {plan.name!r} ({plan.slides_before} → {plan.slides_after})")
    for use in plan.in_use:
        print(f"  it is on the agenda of {use.linked()} (each item keeps a note)")
    return EXIT_OK


def _delete_collection(app: Any, args: argparse.Namespace) -> int:
    """A collection no agenda links goes without a question, as it always did (scripts that tidy unused
    collections keep working); one that agendas link is named with them and asked about first, the
    same way as `deck remove`."""
    plan = app.assembly.deletion_plan(args.name)  # a clear error for an unknown name, before asking
    if plan.in_use:
        used = "; ".join(u.describe() for u in plan.in_use)
        lines = [
            f"It is on the agenda of {plural(len(plan.in_use), 'event')}; the agenda items lose it and "
            "keep a note saying so:",
            *(f"  {use.describe()}" for use in plan.in_use),
        ]
        if not asked(
            args,
            f"Deleting the collection “{plan.name}” needs --yes when msldesk cannot ask on a terminal: "
            f"event agendas link it ({used}).",
            lines,
            f"Delete the collection “{plan.name}” ({plural(plan.slides, 'slide')})? Its slides stay in "
            "the library. [y/N] ",
            "Nothing was deleted.",
        ):
            return EXIT_OK
    deletion = app.assembly.delete_collection(plan.name)
    if args.json:
        print_json(
            {"collection_id": deletion.collection_id, "name": deletion.name, "slides": deletion.slides,
             "events": [event_use_json(u) for u in deletion.in_use if u.kind == "event"]}
        )  # fmt: skip
        return EXIT_OK
    print(f"deleted collection {deletion.name!r}")
    for use in deletion.in_use:
        print(f"  it left the agenda of {use.describe()} (each item keeps a note)")
    return EXIT_OK


COLLECTION_COMMANDS = {"collections": cmd_collections, "collection": cmd_collection}
