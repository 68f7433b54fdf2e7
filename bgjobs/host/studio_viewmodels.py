"""What the Print Studio's pages show, built in Python so the templates never query: the wizard
step by step, an item's inline lists and stored versions, and the templates' admin page."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from bgjobs import defaults
from bgjobs.extensions import db
from bgjobs.host import documents, studio_rules
from bgjobs.host.models import Item, Module
from bgjobs.host.studio import STEPS, PrintRequest, PrintTemplate, count_inputs, inputs_of
from bgjobs.jobtypes.documents.pdf import DocumentError

OUTPUTS_PER_PAGE = defaults.STUDIO_THUMBNAILS  # the job makes the first page's thumbnails
INPUTS_PER_PAGE = defaults.STUDIO_INPUTS_PER_PAGE


@dataclass
class Wizard:
    item: Item
    title: str
    request: PrintRequest
    step: str
    steps: tuple = STEPS
    template: PrintTemplate | None = None
    templates: list = field(default_factory=list)
    field_names: list = field(default_factory=list)
    inputs: list = field(default_factory=list)
    total_inputs: int = 0
    generated: int = 0
    page: int = 1
    pages: int = 1
    warnings: list = field(default_factory=list)
    last_import: dict = field(default_factory=dict)
    formula_preview: str = ""
    formula_problems: list = field(default_factory=list)
    versions: list = field(default_factory=list)
    sheets: tuple = studio_rules.SHEETS


def title_of(item: Item) -> str:
    return str(item.data.get("title") or f"Item {item.id}")


def wizard(item: Item, request: PrintRequest, step: str, page: int = 1) -> Wizard:
    template = db.session.get(PrintTemplate, request.template_id) if request.template_id else None
    view = Wizard(item=item, title=title_of(item), request=request, step=step, template=template,
                  total_inputs=count_inputs(item.id), generated=count_inputs(item.id, with_output=True),
                  last_import=request.last_import or {})
    view.field_names = template.field_names if template else []
    if step == "template":
        view.templates = list(db.session.scalars(select(PrintTemplate).order_by(PrintTemplate.name)))
    elif step in ("inputs", "outputs"):
        size = INPUTS_PER_PAGE if step == "inputs" else OUTPUTS_PER_PAGE
        view.pages = max(1, -(-view.total_inputs // size))
        view.page = min(max(1, page), view.pages)
        view.inputs = inputs_of(item.id, size, (view.page - 1) * size)
        view.warnings = [(i.position, w) for i in view.inputs for w in (i.warnings or [])]
    else:  # merge
        view.formula_problems = studio_rules.formula_problems(request.filename_formula)
        if not view.formula_problems:
            try:
                view.formula_preview = studio_rules.formula_preview(
                    request.filename_formula, request, view.title, template, view.total_inputs)
            except DocumentError as exc:
                view.formula_problems = [str(exc)]
        view.versions = [v for v in documents.versions_of(item.id) if v.holder == "Print file"]
    return view


@dataclass
class InlineView:
    list: documents.InlineList
    rows: list


@dataclass
class ItemExtras:
    """The item page's document parts: inline lists, stored versions, the studio link."""

    inline: list
    versions: list
    studio: bool


def item_extras(item: Item) -> ItemExtras:
    lists = [InlineView(x, documents.rows_of(item.id, x.id)) for x in documents.lists_of(item.module_id)]
    return ItemExtras(lists, documents.versions_of(item.id), db.session.get(PrintRequest, item.id) is not None)


@dataclass
class TemplateView:
    template: PrintTemplate
    problems: list
    uses: int


def templates_page() -> list[TemplateView]:
    used: dict[int, int] = {}
    for request in db.session.scalars(select(PrintRequest)):
        used[request.template_id] = used.get(request.template_id, 0) + 1
    return [TemplateView(t, studio_rules.template_problems(t), used.get(t.id, 0))
            for t in db.session.scalars(select(PrintTemplate).order_by(PrintTemplate.name))]


def module_of(item: Item) -> Module | None:
    return db.session.get(Module, item.module_id)
