"""Filling a throw-away hub for bench/hub_scale.py: the library as its publisher, meeting records as
each MSL, through the hub's real tables, grants, triggers and row-level security (nothing is written
as the owner, no trigger is disabled). Seeded, so two runs at one scale hold the same data."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FILE_SIZES = (4 * 1024, 36 * 1024)  # synthetic decks: small, so 5,000 of them fit a shared machine
ENTRIES_PER_EVENT = 40
AGENDA_PER_EVENT = 3
ATTENDEES_PER_EVENT = 5
SHARED_EVENTS = 0.3
WITHDRAWN_DECKS = 0.02

AREAS = ("oncology", "immunology", "nephrology", "cardiology", "neurology", "hematology", "rheumatology")
PRODUCTS = ("Zelvora", "Kinatrex", "Obranil", "Tavecept", "Lumidra", "Provexa")
AUDIENCES = ("HCP", "payer", "pharmacist", "nurse", "KOL")
THEMES = ("safety", "efficacy", "dosing", "access", "guidelines", "unmet need", "competitor", "trial design")
KINDS = ("insight", "question", "objection", "follow-up", "note")
# Words of varied frequency (the first ones common), so searches range from many hits to a handful.
SUBJECTS = (
    "dosing",
    "renal impairment",
    "hepatic impairment",
    "adverse events",
    "infusion reactions",
    "prior authorization",
    "formulary",
    "biosimilar",
    "real world evidence",
    "overall survival",
    "progression free survival",
    "quality of life",
    "elderly patients",
    "pediatric use",
    "pregnancy",
    "drug interactions",
    "neutropenia",
    "cardiotoxicity",
    "hypertension",
    "proteinuria",
    "fatigue",
    "nausea",
    "rash",
    "biomarker testing",
    "companion diagnostic",
    "step therapy",
    "copay assistance",
    "subgroup analysis",
    "dose reduction",
    "treatment sequencing",
    "maintenance therapy",
    "relapse",
    "tolerability",
    "adherence",
    "injection site reactions",
    "long term extension",
    "head to head data",
    "guideline update",
    "off label use",
    "patient selection",
    "eGFR thresholds",
    "QT prolongation",
    "hepatotoxicity",
    "interstitial lung disease",
    "vaccination",
    "tumor lysis",
    "anaphylaxis",
)
OPENERS = (
    "Dr {who} asked about",
    "The panel questioned",
    "Attendees were concerned about",
    "{who} shared experience with",
    "Pharmacists want more data on",
    "Payers pushed back on",
    "KOL feedback on",
    "Several clinicians mentioned",
    "{who} requested the publication on",
    "Nurses reported issues with",
)
CLOSERS = (
    "in the {area} clinic.",
    "compared with {product}.",
    "for patients over 75.",
    "after the latest congress data.",
    "especially in community practice.",
    "and wants a follow-up visit.",
    "given the new label.",
    "in their hospital network.",
    "when switching from {product}.",
    "",
)
NAMES = ("Ames", "Okafor", "Lindqvist", "Haddad", "Moreau", "Tanaka", "Ruiz", "Kowalski", "Nguyen", "Patel")


@dataclass
class Library:
    decks: int
    slides: int
    files: dict[str, int]  # sha256 -> size, every published deck's file
    withdrawn: int


def synthetic_file(rng: random.Random) -> bytes:
    return rng.randbytes(rng.randint(*FILE_SIZES))


def publish_library(connection: Any, decks: int, slides: int, rng: random.Random, scratch: Path) -> Library:
    """As the publisher: upload `decks` files with msldesk's own upload (msldesk.team.files.upload_file,
    its chunk size; the tables' CHECKs verify each chunk's hash), publish the decks in transactions of
    100 (COPY into decks: the stamping trigger checks every file is complete, the audit trigger chains a
    record per deck), then withdraw a few."""
    from msldesk.team.files import upload_file

    counts = [slides // decks + (1 if n < slides % decks else 0) for n in range(decks)]
    for n in range(0, decks - 1, 2):  # vary the sizes, keep the total
        shift = rng.randint(0, counts[n] - 1)
        counts[n], counts[n + 1] = counts[n] - shift, counts[n + 1] + shift
    files: dict[str, int] = {}
    uids = []
    today = dt.date(2026, 12, 1)
    path = scratch / "deck.pptx"
    for start in range(0, decks, 100):
        batch = range(start, min(decks, start + 100))
        shas = []
        for _ in batch:
            blob = synthetic_file(rng)
            path.write_bytes(blob)
            shas.append(hashlib.sha256(blob).hexdigest())
            upload_file(connection, path, shas[-1])
            files[shas[-1]] = len(blob)
        with (
            connection.transaction(),
            connection.cursor().copy(
                "COPY msldesk.decks (uid, title, file_name, file_sha256, slide_count, approval_code, "
                "approved_on, expires_on, therapeutic_area, product, audience, tags, companions) FROM STDIN"
            ) as copy,
        ):
            for n, sha in zip(batch, shas, strict=True):
                uid = uuid.UUID(int=rng.getrandbits(128), version=4)
                area, product = rng.choice(AREAS), rng.choice(PRODUCTS)
                approved = today - dt.timedelta(days=rng.randint(0, 700))
                companions = {str(s): [s + 1] for s in range(1, counts[n], 7)}
                copy.write_row((
                    uid, f"{product} {area} update {n}: {rng.choice(SUBJECTS)}", f"deck-{n}.pptx", sha,
                    counts[n], f"MA-{area[:3].upper()}-{n:05d}", approved,
                    approved + dt.timedelta(days=730), area, product, rng.choice(AUDIENCES),
                    [area, rng.choice(THEMES)], _json(companions),
                ))  # fmt: skip
                uids.append(uid)
    withdrawn = rng.sample(uids, int(decks * WITHDRAWN_DECKS))
    with connection.transaction():
        connection.execute(
            "UPDATE msldesk.decks SET withdrawn = true, withdrawn_reason = 'superseded by the new label' "
            "WHERE uid = ANY(%s)",
            (withdrawn,),
        )
    return Library(decks, sum(counts), files, len(withdrawn))


def _json(value: object) -> str:
    import json

    return json.dumps(value)


def entry_text(rng: random.Random) -> str:
    subject = SUBJECTS[min(int(rng.paretovariate(0.9)) - 1, len(SUBJECTS) - 1)]
    if rng.random() < 0.5:
        subject = rng.choice(SUBJECTS)
    opener = rng.choice(OPENERS).format(who=rng.choice(NAMES))
    closer = rng.choice(CLOSERS).format(area=rng.choice(AREAS), product=rng.choice(PRODUCTS))
    return f"{opener} {subject} {closer}".strip()


def push_records(connection: Any, entries: int, rng: random.Random) -> int:
    """As one MSL: `entries` meeting entries in finalized meetings (ENTRIES_PER_EVENT each, with agenda
    items, attendees and a payment every fifth meeting), pushed in one transaction of five INSERT …
    SELECT FROM unnest statements (COPY is refused on tables with row-level security). The stamping
    triggers set the owner, push time and sharing; the policies check the owner. Returns the events."""
    events = max(1, entries // ENTRIES_PER_EVENT)
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    ev: dict[str, list] = {k: [] for k in ("uid", "shared", "title", "starts", "area", "product")}
    ag: dict[str, list] = {k: [] for k in ("uid", "event", "position", "title")}
    at: dict[str, list] = {k: [] for k in ("uid", "event", "name", "npi")}
    en: dict[str, list] = {k: [] for k in ("uid", "event", "agenda", "kind", "theme", "body", "at")}
    pay: dict[str, list] = {k: [] for k in ("uid", "event", "name", "amount", "paid")}

    def new_uid() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    for e in range(events):
        uid, starts = new_uid(), start + dt.timedelta(minutes=rng.randint(0, 700 * 24 * 60))
        area = rng.choice(AREAS)
        for key, value in zip(
            ev,
            (
                uid,
                rng.random() < SHARED_EVENTS,
                f"{area} advisory board {e}",
                starts,
                area,
                rng.choice(PRODUCTS),
            ),
            strict=True,
        ):
            ev[key].append(value)
        agenda = [new_uid() for _ in range(AGENDA_PER_EVENT)]
        for p, a in enumerate(agenda):
            for key, value in zip(ag, (a, uid, p + 1, rng.choice(SUBJECTS)), strict=True):
                ag[key].append(value)
        for _ in range(ATTENDEES_PER_EVENT):
            for key, value in zip(
                at, (new_uid(), uid, f"Dr {rng.choice(NAMES)}", f"{rng.randrange(10**10):010d}"), strict=True
            ):
                at[key].append(value)
        count = ENTRIES_PER_EVENT if e < events - 1 else entries - ENTRIES_PER_EVENT * (events - 1)
        for n in range(count):
            for key, value in zip(
                en,
                (
                    new_uid(),
                    uid,
                    rng.choice(agenda),
                    rng.choice(KINDS),
                    rng.choice(THEMES),
                    entry_text(rng),
                    starts + dt.timedelta(minutes=n),
                ),
                strict=True,
            ):
                en[key].append(value)
        if e % 5 == 0:
            for key, value in zip(
                pay,
                (new_uid(), uid, f"Dr {rng.choice(NAMES)}", 150 + rng.randrange(900), starts.date()),
                strict=True,
            ):
                pay[key].append(value)
    with connection.transaction():
        connection.execute(
            "INSERT INTO msldesk.events (uid, shared, title, kind, starts_at, therapeutic_area, product, "
            "finalized_at) SELECT u, s, t, 'advisory board', st, a, p, st + interval '2 hours' "
            "FROM unnest(%s::uuid[], %s::bool[], %s::text[], %s::timestamptz[], %s::text[], %s::text[]) "
            "AS x(u, s, t, st, a, p)",
            tuple(ev.values()),
        )
        connection.execute(
            "INSERT INTO msldesk.agenda_items (uid, event_uid, position, title) "
            "SELECT * FROM unnest(%s::uuid[], %s::uuid[], %s::int[], %s::text[])",
            tuple(ag.values()),
        )
        connection.execute(
            "INSERT INTO msldesk.attendance (uid, event_uid, person_name, npi) "
            "SELECT * FROM unnest(%s::uuid[], %s::uuid[], %s::text[], %s::text[])",
            tuple(at.values()),
        )
        connection.execute(
            "INSERT INTO msldesk.entries (uid, event_uid, agenda_uid, kind, theme, body, recorded_at) "
            "SELECT * FROM unnest(%s::uuid[], %s::uuid[], %s::uuid[], %s::text[], %s::text[], %s::text[], "
            "%s::timestamptz[])",
            tuple(en.values()),
        )
        connection.execute(
            "INSERT INTO msldesk.payments (uid, event_uid, recipient_name, amount, nature, paid_on) "
            "SELECT u, e, r, a, 'Consulting Fee', d "
            "FROM unnest(%s::uuid[], %s::uuid[], %s::text[], %s::numeric[], %s::date[]) AS x(u, e, r, a, d)",
            tuple(pay.values()),
        )
    return events


def push_everyone(
    connect_as: Callable[[str], Any], msls: list[str], entries: int, seed: int, workers: int = 2
) -> int:
    """Every MSL pushes their share of `entries`, `workers` MSLs at a time, each on their own login.
    Returns the events pushed."""
    share = [entries // len(msls) + (1 if n < entries % len(msls) else 0) for n in range(len(msls))]
    todo = list(enumerate(msls))
    lock, events, failures = threading.Lock(), [0], []

    def work() -> None:
        while True:
            with lock:
                if not todo or failures:
                    return
                n, name = todo.pop()
            try:
                with connect_as(name) as connection:
                    pushed = push_records(connection, share[n], random.Random(seed * 1000 + n))
            except BaseException as exc:  # noqa: BLE001 - raised again in the calling thread
                failures.append(exc)
                return
            with lock:
                events[0] += pushed

    threads = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return events[0]
