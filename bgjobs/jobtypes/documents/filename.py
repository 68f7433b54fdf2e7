"""File-name formulas such as `{request.title}-{date:%Y%m%d}-{count}.pdf`.

A formula is literal text with {variable} placeholders; variables are dotted names looked up in
the values (flat "request.title" keys or nested dicts). `date` is always known: it is the render
time, formatted by an strftime spec ({date} alone is %Y-%m-%d). Other variables may take a
zero-padding width ({count:03}). `{{` and `}}` are literal braces. Substituted values are made
safe (no path separators or control characters), and the name is capped and ends in .pdf."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import datetime

from .pdf import DocumentError

MAX_LENGTH = 150
MAX_BYTES = 250  # file systems count bytes, and UTF-8 letters can take four
DEFAULT_DATE = "%Y-%m-%d"
# strftime codes whose output is safe and locale-free enough for a file name (%x, %c, %D give "/").
DATE_CODES = set("aAbBdHIjmMpSUwWyYzZGuV%")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_PAD = re.compile(r"0?[1-9][0-9]?")
_UNSAFE = re.compile(r'[/\\:*?"<>|]')

# A parsed formula: literal text, or a placeholder (name, spec).
Token = str | tuple[str, str]
_MISSING = object()  # what _lookup returns for a name the values do not have


def _parse(formula: str) -> tuple[list[Token], list[str]]:
    tokens: list[Token] = []
    errors: list[str] = []
    text: list[str] = []
    i = 0
    while i < len(formula):
        pair = formula[i:i + 2]
        if pair in ("{{", "}}"):
            text.append(pair[0])
            i += 2
        elif formula[i] == "{":
            end = formula.find("}", i + 1)
            if end < 0 or "{" in formula[i + 1:end]:
                errors.append(f"Unbalanced braces: the “{{” at position {i + 1} is not closed")
                return tokens, errors
            if text:
                tokens.append("".join(text))
                text = []
            name, _, spec = formula[i + 1:end].partition(":")
            tokens.append((name.strip(), spec))
            i = end + 1
        elif formula[i] == "}":
            errors.append(f"Unbalanced braces: the “}}” at position {i + 1} has no opening “{{”")
            return tokens, errors
        else:
            text.append(formula[i])
            i += 1
    if text:
        tokens.append("".join(text))
    return tokens, errors


def _check(formula: str, known: set[str] | None) -> tuple[list[Token], list[str]]:
    """The tokens and every problem; `known` None skips the unknown-variable check."""
    if not formula.strip():
        return [], ["The file name formula is empty"]
    tokens, errors = _parse(formula)
    literal = "".join(t for t in tokens if isinstance(t, str))
    for bad, why in (("/", "a path separator"), ("\\", "a path separator"), ("..", "a parent folder")):
        if bad in literal:
            errors.append(f"The file name cannot contain “{bad}” ({why})")
    if any(unicodedata.category(c) == "Cc" for c in literal):
        errors.append("The file name cannot contain control characters")
    for name, spec in (t for t in tokens if not isinstance(t, str)):
        if not name:
            errors.append("Empty braces: put a variable name between “{” and “}”")
        elif not _NAME.fullmatch(name):
            errors.append(f"“{{{name}}}” is not a variable name")
        elif name == "date":
            errors += _date_errors(spec)
        elif known is not None and name not in known:
            choices = ", ".join(sorted(known | {"date"}))
            errors.append(f"Unknown variable “{name}” (known: {choices})")
        elif spec and not _PAD.fullmatch(spec):
            errors.append(f"“{{{name}:{spec}}}”: only {{date}} takes a format; "
                          f"{{{name}:03}} pads a number with zeros")
    return tokens, errors


def _date_errors(spec: str) -> list[str]:
    if not spec:
        return []
    codes = re.findall(r"%(.?)", spec)
    bad = [c for c in codes if c not in DATE_CODES]
    if bad:
        shown = ", ".join(f"%{c}" if c else "a lone %" for c in bad)
        return [f"Bad date format “{spec}”: {shown} cannot be used in a file name"]
    if not codes:
        return [f"Bad date format “{spec}”: it has no date codes such as %Y, %m or %d"]
    if "/" in spec or "\\" in spec:
        return [f"Bad date format “{spec}”: it cannot contain a path separator"]
    return []


def validate(formula: str, variables: set[str]) -> list[str]:
    """The problems with `formula` given the variables a job offers (`date` is always offered)."""
    return _check(formula, set(variables))[1]


def render(formula: str, values: Mapping, now: datetime) -> str:
    """The safe file name for `values` at `now`; DocumentError if the formula is not valid or
    uses a variable `values` lacks. Values are never trusted: separators and control characters
    in them are replaced."""
    tokens, errors = _check(formula, None)
    names = dict.fromkeys(name for name, _ in _placeholders(tokens) if name != "date")
    errors += [f"Unknown variable “{name}”" for name in names if _lookup(values, name) is _MISSING]
    if errors:
        raise DocumentError("; ".join(errors))
    parts = []
    for token in tokens:
        if isinstance(token, str):
            parts.append(token)
            continue
        name, spec = token
        if name == "date":
            parts.append(_safe(now.strftime(spec or DEFAULT_DATE)))
            continue
        value = _lookup(values, name)
        text = "" if value is None else str(value)
        parts.append(_safe(text.rjust(int(spec), "0") if spec else text))
    return _finish("".join(parts))


def preview(formula: str, sample_values: Mapping, now: datetime | None = None) -> str:
    """render() with sample values; a variable without a sample shows its last name part."""
    tokens, errors = _check(formula, None)
    if errors:
        raise DocumentError("; ".join(errors))
    values = dict(sample_values)
    for name, _ in _placeholders(tokens):
        if name != "date" and _lookup(values, name) is _MISSING:
            values[name] = name.rsplit(".", 1)[-1]
    return render(formula, values, now or datetime.now())


def _placeholders(tokens: list[Token]) -> list[tuple[str, str]]:
    return [t for t in tokens if not isinstance(t, str)]


def _lookup(values: Mapping, name: str) -> object:
    """values[name], else the nested lookup values["request"]["title"]; mappings only, so a
    formula cannot reach an object's attributes."""
    if name in values:
        return values[name]
    current: object = values
    for part in name.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return _MISSING
        current = current[part]
    return current


def _safe(text: str) -> str:
    """A substituted value fit for a file name: separators and reserved characters become "-",
    control characters spaces, invisible format characters (such as RTL overrides) vanish."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text
                   if unicodedata.category(c) != "Cf")
    return re.sub(r"\s+", " ", _UNSAFE.sub("-", text))


def _finish(name: str) -> str:
    """Trim, cap the length (characters and bytes) and make sure the name ends in .pdf."""
    name = name.strip().lstrip(".")  # no hidden files
    extension = name[-4:] if name.lower().endswith(".pdf") else ".pdf"
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    stem = stem[: MAX_LENGTH - len(extension)]
    while len(stem.encode()) + len(extension) > MAX_BYTES:
        stem = stem[:-1]
    stem = stem.strip().rstrip(".")
    return (stem or "document") + extension
