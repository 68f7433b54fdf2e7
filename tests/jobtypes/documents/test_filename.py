"""File-name formulas (bgjobs.jobtypes.documents.filename)."""
from __future__ import annotations

from datetime import datetime

import pytest

from bgjobs.jobtypes.documents.filename import preview, render, validate
from bgjobs.jobtypes.documents.pdf import DocumentError

FORMULA = "{request.title}-{date:%Y%m%d}-{count}.pdf"
VARIABLES = {"request.title", "count"}
NOW = datetime(2026, 11, 30, 9, 30)


def test_the_example_formula_renders():
    assert validate(FORMULA, VARIABLES) == []
    assert render(FORMULA, {"request.title": "Spring campaign", "count": 12}, NOW) == "Spring campaign-20261130-12.pdf"


def test_nested_values_and_padding():
    values = {"request": {"title": "Spring"}, "count": 7}
    assert render("{request.title}_{count:03}_{date}", values, NOW) == "Spring_007_2026-11-30.pdf"


@pytest.mark.parametrize("formula, problem", [
    ("{request.owner}.pdf", "Unknown variable “request.owner”"),
    ("reports/{count}.pdf", "“/” (a path separator)"),
    ("reports\\{count}.pdf", "“\\” (a path separator)"),
    ("..{count}.pdf", "“..”"),
    ("{count.pdf", "Unbalanced braces"),
    ("count}.pdf", "Unbalanced braces"),
    ("", "empty"),
    ("{date:%Q}", "Bad date format"),
    ("{date:today}", "Bad date format"),
    ("{count:abc}", "only {date} takes a format"),
])
def test_validate_names_the_problem(formula, problem):
    errors = validate(formula, VARIABLES)
    assert len(errors) >= 1 and any(problem in e for e in errors), errors


def test_substituted_values_are_made_safe():
    values = {"request.title": "../../etc/passwd\\x:y\n\x00z", "count": 1}
    name = render(FORMULA, values, NOW)
    assert "/" not in name and "\\" not in name and "\n" not in name and "\x00" not in name
    assert name == "-..-etc-passwd-x-y z-20261130-1.pdf"  # and no leading dot: not a hidden file


def test_names_are_capped_and_end_in_pdf():
    name = render("{request.title}", {"request.title": "x" * 500}, NOW)
    assert len(name) == 150 and name.endswith(".pdf")
    assert render("{request.title}", {"request.title": ""}, NOW) == "document.pdf"
    assert render("report-{count}.PDF", {"count": 2}, NOW) == "report-2.PDF"


def test_render_refuses_a_broken_formula():
    with pytest.raises(DocumentError, match="Unknown variable “missing”"):
        render("{missing}", {}, NOW)
    with pytest.raises(DocumentError, match="path separator"):
        render("a/{count}", {"count": 1}, NOW)


def test_preview_fills_in_missing_samples():
    assert preview(FORMULA, {"count": 3}, NOW) == "title-20261130-3.pdf"
