"""The Print Studio's rules shared by its pages and its jobs: matching an input file's columns
to a template's fields, the file-name formula's variables and preview, and the template's own
check. Plain functions over the studio's rows and the document library (no Flask)."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime

from bgjobs import defaults
from bgjobs.host.studio import FORMULA_VARIABLES, PrintRequest, PrintTemplate
from bgjobs.jobtypes.documents import filename
from bgjobs.jobtypes.documents.fields import Field, check_fields
from bgjobs.jobtypes.documents.pdf import DocumentError

MAX_INPUTS = defaults.STUDIO_MAX_INPUTS
MAX_COPIES = defaults.STUDIO_MAX_COPIES
SHEETS = ("A4", "A3", "Letter")


def fields_of(template: PrintTemplate) -> list[Field]:
    return [Field.from_dict(f) for f in template.fields]


def template_problems(template: PrintTemplate) -> list[str]:
    """What makes the template unusable (fields outside the page, bad fonts, ...); [] when fine."""
    try:
        return check_fields(fields_of(template), [tuple(size) for size in template.page_sizes])
    except DocumentError as exc:
        return [str(exc)]


def _key(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.casefold())


def match_columns(field_names: Sequence[str], header: Sequence[str],
                  mapping: Mapping[str, str] | None = None) -> dict[str, str]:
    """{field: column}: an explicit mapping first, then a column whose name matches the field's
    ignoring case, spaces and punctuation ("E-mail" -> email). Unmatched fields are left out."""
    by_key = {_key(column): column for column in header}
    matched = {}
    for name in field_names:
        chosen = (mapping or {}).get(name)
        if chosen in header:
            matched[name] = chosen
        elif chosen in (None, "") and _key(name) in by_key:
            matched[name] = by_key[_key(name)]
    return matched


def unmatched_required(template: PrintTemplate, matched: Mapping[str, str]) -> list[str]:
    return [f.name for f in fields_of(template) if f.required and f.name not in matched]


def formula_values(request: PrintRequest, title: str, template: PrintTemplate | None, count: int,
                   sheets: int, pages: int) -> dict:
    return {"request.title": title, "request.id": request.item_id, "template.name": template.name if template else "",
            "count": count, "copies": request.copies, "sheets": sheets, "pages": pages}


def formula_problems(formula: str) -> list[str]:
    return filename.validate(formula, FORMULA_VARIABLES)


def formula_preview(formula: str, request: PrintRequest, title: str, template: PrintTemplate | None,
                    count: int, now: datetime | None = None) -> str:
    """The name the formula gives this request today (sheets and pages estimated as the count)."""
    sample = formula_values(request, title, template, count, count, count * max(request.copies, 1))
    return filename.preview(formula, sample, now)


def read_header(path) -> list[str]:
    """The column names of an uploaded CSV or XLSX; ValueError with a message for the user."""
    from bgjobs.jobtypes.common.tabular import TableError, open_table

    try:
        return open_table(path).header
    except TableError as exc:
        raise ValueError(f"The file cannot be imported: {exc}.") from None
