"""Job parameters and counts as a user reads them in a job's details: labels instead of raw
parameter names, values in words instead of Python reprs (a list as its first few entries and a
count, an uploaded file as its name and size, a long text as its first line and a line count).

A job type may describe its own parameters (JobType.describe_params: module and field names
instead of ids); this is the fallback, built from its declared Params."""
from __future__ import annotations

from jinja2.filters import do_filesizeformat

LIST_SHOWN = 10  # list entries shown before "… (n in all)"
TEXT_SHOWN = 120  # characters of a long text shown


def label(name: str) -> str:
    """A parameter or count name as a label: "item_ids" -> "Items", "to_status" -> "To status"."""
    for suffix in ("_ids", "_id"):
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)] + ("s" if suffix == "_ids" else "")
            break
    return name.replace("_", " ").strip().capitalize() or name


def file_text(value: dict) -> str:
    """An uploaded file ({"name", "path", "size"}) as "prices.csv (52 Bytes)"."""
    name = value.get("name") or "upload"
    return f"{name} ({do_filesizeformat(value['size'])})" if value.get("size") is not None else name


def value_text(value) -> str:
    """Any parameter or count value as one readable line."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dict):
        if {"name", "path"} <= value.keys():
            return file_text(value)
        return "; ".join(f"{k}: {value_text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        shown = ", ".join(value_text(v) for v in value[:LIST_SHOWN])
        return shown if len(value) <= LIST_SHOWN else f"{shown}, … ({len(value):,} in all)"
    text = str(value)
    lines = text.strip().splitlines()
    if len(lines) > 1:  # CSV or other pasted text: its first line, not every line run together
        return f"{lines[0][:TEXT_SHOWN]} … ({len(lines):,} lines)"
    return text if len(text) <= TEXT_SHOWN else f"{text[:TEXT_SHOWN]}… ({len(text):,} characters)"


def generic(declared, params: dict) -> list[tuple[str, str]]:
    """(label, value) for each parameter, labelled by its Param (or its name when undeclared)."""
    labels = {p.name: p.title for p in declared}
    return [(labels.get(name) or label(name), value_text(value)) for name, value in params.items()]


def counts(summary: dict) -> list[tuple[str, str]]:
    """A job's summary counts as (label, value): {"skipped": {"Published": 4}} -> ("Skipped", "Published: 4")."""
    return [(label(name), value_text(value)) for name, value in (summary or {}).items()]
