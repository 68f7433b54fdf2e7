"""The Creative Automation Print Studio's data: print templates (a background PDF plus named
fields placed on it), and, per item of a "Print requests" module, the request (its template and
merge settings) with its inputs (one per output) and their generated outputs."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from bgjobs.extensions import db
from bgjobs.timeutil import utcnow

STEPS = (("template", "1 Template"), ("inputs", "2 Inputs"), ("outputs", "3 Outputs"), ("merge", "4 Merge"))
STEP_NAMES = tuple(name for name, _ in STEPS)
DEFAULT_FORMULA = "{request.title}-{date:%Y%m%d}-{count}.pdf"
# The variables a file-name formula may use (besides {date}).
FORMULA_VARIABLES = {"request.title", "request.id", "template.name", "count", "copies", "sheets", "pages"}


class PrintTemplate(db.Model):
    __tablename__ = "print_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    background_path: Mapped[str] = mapped_column(String(500))  # relative to the storage root
    # [(width, height)] in points, one per background page
    page_sizes: Mapped[list] = mapped_column(JSON, default=list)
    # [Field.as_dict()] (bgjobs.jobtypes.documents.fields.Field)
    fields: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def field_names(self) -> list[str]:
        return [f["name"] for f in self.fields]


class PrintRequest(db.Model):
    """The studio's state for one item: its template and the Merge step's settings."""

    __tablename__ = "print_requests"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("print_templates.id"), nullable=True)
    copies: Mapped[int] = mapped_column(Integer, default=1)
    fill_page: Mapped[bool] = mapped_column(Boolean, default=False)
    sheet: Mapped[str] = mapped_column(String(16), default="A4")
    filename_formula: Mapped[str] = mapped_column(String(255), default=DEFAULT_FORMULA)
    # The last import's row errors: {"job_id", "errors": [...], "report": relative path or None}
    last_import: Mapped[dict] = mapped_column(JSON, default=dict)


class PrintInput(db.Model):
    """One input of a request (its field values) and, once generated, its output PDF."""

    __tablename__ = "print_inputs"
    __table_args__ = (Index("ix_print_inputs_item", "item_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    values: Mapped[dict] = mapped_column(JSON, default=dict)
    output_path: Mapped[str | None] = mapped_column(String(500), nullable=True)
    thumb_path: Mapped[str | None] = mapped_column(String(500), nullable=True)
    warnings: Mapped[list] = mapped_column(JSON, default=list)


def inputs_of(item_id: int, limit: int | None = None, offset: int = 0) -> list[PrintInput]:
    query = select(PrintInput).where(PrintInput.item_id == item_id).order_by(PrintInput.position, PrintInput.id)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return list(db.session.scalars(query))


def count_inputs(item_id: int, with_output: bool = False) -> int:
    query = select(func.count()).select_from(PrintInput).where(PrintInput.item_id == item_id)
    if with_output:
        query = query.where(PrintInput.output_path.is_not(None))
    return db.session.scalar(query) or 0
