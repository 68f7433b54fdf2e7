"""Shared checks for job parameters: each raises InvalidParams with a message a user can act on."""
from __future__ import annotations

from ..domain import Module
from ..extensions import db
from ..registry import InvalidParams


def as_int(params: dict, name: str, label: str) -> int:
    value = params.get(name)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidParams(f"Choose a {label}.") from None


def as_int_list(params: dict, name: str, label: str) -> list[int]:
    value = params.get(name) or []
    if isinstance(value, str):
        value = [v for v in value.replace(",", " ").split() if v]
    try:
        items = sorted({int(v) for v in value})
    except (TypeError, ValueError):
        raise InvalidParams(f"The {label} must be a list of numbers.") from None
    if not items:
        raise InvalidParams(f"Choose at least one {label.rstrip('s')}.")
    return items


def module(params: dict) -> Module:
    found = db.session.get(Module, as_int(params, "module_id", "module"))
    if found is None:
        raise InvalidParams("That module does not exist.")
    return found
