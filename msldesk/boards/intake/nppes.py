"""Reads an NPPES NPI Registry API response (JSON, v2.1) into a SourceTable of providers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from msldesk.boards.intake.table import SourceTable
from msldesk.boards.people.npi import normalise_npi
from msldesk.core.errors import FileRefusedError
from msldesk.core.user_files import parse_json

HEADERS: tuple[str, ...] = (
    "First Name",
    "Last Name",
    "Credentials",
    "Specialty",
    "Institution",
    "City",
    "State",
    "Country",
    "Phone",
    "NPI",
    "Notes",
)
_NOT_NPPES = 'This file is JSON but not an NPPES NPI Registry response (no "results" list of providers).'


def _text(data: bytes) -> str:
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")  # hand-edited on Windows; JSON syntax is ASCII anyway


def _load(data: bytes) -> Any:
    try:
        return parse_json(_text(data))
    except json.JSONDecodeError as exc:
        raise FileRefusedError(
            f"This file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).",
            str(exc),
        ) from exc


def _clean(value: object) -> str:
    """Registry strings, with its placeholders for "none" ("--", null) made empty."""
    if value is None or isinstance(value, bool):
        return ""
    text = " ".join(str(value).split())
    return "" if text in ("--", "-", "N/A") else text


def _is_provider(item: object) -> bool:
    return isinstance(item, Mapping) and "number" in item and ("basic" in item or "enumeration_type" in item)


def _results(payload: Any) -> list[Mapping[str, Any]]:
    if isinstance(payload, Mapping):
        errors = payload.get("Errors") or payload.get("errors")
        if errors and "results" not in payload:
            items = errors if isinstance(errors, list) else [errors]
            reasons = [_clean(e.get("description")) or _clean(e) for e in items if isinstance(e, Mapping)]
            said = "; ".join(r.rstrip(".") for r in reasons)
            raise FileRefusedError(
                "This file is an error reply from the NPI Registry, not a list of providers: "
                f"{said or 'no reason given'}.",
                json.dumps(errors)[:500],
            )
        results = payload.get("results")
        if not isinstance(results, list):
            raise FileRefusedError(_NOT_NPPES, f"top-level keys: {sorted(payload)[:20]}")
    elif isinstance(payload, list) and any(_is_provider(item) for item in payload):
        results = payload  # someone saved just the "results" array
    else:
        raise FileRefusedError(_NOT_NPPES, f"top-level JSON type: {type(payload).__name__}")
    if not results:
        raise FileRefusedError(
            "This NPI Registry file contains no providers (the search found nothing).",
            f"result_count={payload.get('result_count') if isinstance(payload, Mapping) else 0}",
        )
    if not any(_is_provider(item) for item in results):
        raise FileRefusedError(_NOT_NPPES, 'no result has a "number"')
    return results


def _address(provider: Mapping[str, Any]) -> Mapping[str, Any]:
    """The practice location (where the provider sees patients), else the mailing address."""
    addresses = [a for a in provider.get("addresses") or [] if isinstance(a, Mapping)]
    for purpose in ("LOCATION", "MAILING"):
        for address in addresses:
            if _clean(address.get("address_purpose")).upper() == purpose:
                return address
    return addresses[0] if addresses else {}


def _specialty(provider: Mapping[str, Any]) -> str:
    taxonomies = [t for t in provider.get("taxonomies") or [] if isinstance(t, Mapping)]
    primary = [t for t in taxonomies if t.get("primary") in (True, "true", "Y", "YES")]
    for taxonomy in primary + taxonomies:
        if _clean(taxonomy.get("desc")):
            return _clean(taxonomy.get("desc"))
    return ""


def _place(address: Mapping[str, Any]) -> tuple[str, str, str]:
    country = _clean(address.get("country_name")) or _clean(address.get("country_code"))
    return _clean(address.get("city")), _clean(address.get("state")), country


def _individual(provider: Mapping[str, Any]) -> tuple[str, ...]:
    basic = provider.get("basic") or {}
    address = _address(provider)
    city, state, country = _place(address)
    return (
        _clean(basic.get("first_name")),
        _clean(basic.get("last_name")),
        _clean(basic.get("credential")),
        _specialty(provider),
        "",
        city,
        state,
        country,
        _clean(address.get("telephone_number")),
        normalise_npi(_clean(provider.get("number"))),
        "",
    )


def _official(provider: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The organisation's authorised official as a person at that organisation. The NPI and the
    taxonomy belong to the organisation, so they are not given to the person."""
    basic = provider.get("basic") or {}
    first = _clean(basic.get("authorized_official_first_name"))
    last = _clean(basic.get("authorized_official_last_name"))
    if not first and not last:
        return None
    city, state, country = _place(_address(provider))
    title = _clean(basic.get("authorized_official_title_or_position"))
    notes = [f"Title: {title}"] if title else []
    notes.append(f"Authorised official of NPI {normalise_npi(_clean(provider.get('number')))}")
    return (
        first,
        last,
        _clean(basic.get("authorized_official_credential")),
        "",
        _clean(basic.get("organization_name")) or _clean(basic.get("name")),
        city,
        state,
        country,
        _clean(basic.get("authorized_official_telephone_number")),
        "",
        "\n".join(notes),
    )


def read_nppes_json(data: bytes) -> SourceTable:
    """Individuals (NPI-1) become one row each; organisations (NPI-2) give their authorised official,
    or are skipped when none is named. Row number = the provider's position in "results" (1-based).
    Refuses error replies, empty results, invalid JSON and JSON that is not a registry response."""

    payload = _load(data)
    results = _results(payload)
    rows: list[tuple[int, tuple[str, ...]]] = []
    officials: list[str] = []
    skipped: list[str] = []
    unreadable = 0
    for number, provider in enumerate(results, start=1):
        if not _is_provider(provider):
            unreadable += 1
            continue
        kind = _clean(provider.get("enumeration_type")).upper()
        basic = provider.get("basic") or {}
        is_org = kind == "NPI-2" or (not kind and _clean(basic.get("organization_name")))
        if not is_org:
            rows.append((number, _individual(provider)))
            continue
        name = _clean(basic.get("organization_name")) or "organisation"
        label = f"{name} (NPI {_clean(provider.get('number'))})"
        row = _official(provider)
        if row is None:
            skipped.append(label)
        else:
            officials.append(label)
            rows.append((number, row))
    warnings: list[str] = []
    if officials:
        warnings.append(
            f"{len(officials)} organisation(s) (NPI-2) were imported as their authorised official, a person "
            "at that organisation, without an NPI (the NPI belongs to the organisation)."
        )
    if skipped:
        warnings.append(
            f"{len(skipped)} organisation(s) (NPI-2) name no authorised official and were skipped: "
            + ", ".join(skipped[:10])
            + (" ..." if len(skipped) > 10 else "")
        )
    if unreadable:
        warnings.append(f"{unreadable} result(s) are not provider records and were skipped.")
    claimed = payload.get("result_count") if isinstance(payload, Mapping) else None
    if isinstance(claimed, int) and claimed > len(results):
        warnings.append(
            f"This file says it holds {claimed} providers but only {len(results)} are in it; "
            "it may have been cut short or edited."
        )
    if not rows:
        raise FileRefusedError(
            "This NPI Registry file names no people: it lists only organisations without an "
            "authorised official.",
            "; ".join(warnings),
        )
    return SourceTable(
        kind="nppes-json", headers=HEADERS, rows=tuple(rows), encoding="utf-8", warnings=tuple(warnings)
    )
