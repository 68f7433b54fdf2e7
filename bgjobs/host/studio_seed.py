"""Demo data for the document jobs, generated at seed time (no binary file is committed): two
print templates (business card, A5 flyer) with designed backgrounds, a "Print requests" item
with a dozen inputs, and a "Campaigns" item whose inline "Pages" hold three PDFs."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bgjobs.extensions import db
from bgjobs.host.documents import InlineList, InlineRow, item_dir
from bgjobs.host.models import Item, Module
from bgjobs.host.studio import PrintInput, PrintRequest, PrintTemplate
from bgjobs.jobs import storage
from bgjobs.jobtypes.documents import samples

TITLE_FIELDS = [{"name": "title", "label": "Title", "type": "text"}]
PEOPLE = [
    ("Ada Lovelace", "Analyst", "+44 20 7946 0001"), ("Grace Hopper", "Rear Admiral", "+1 202 555 0102"),
    ("Alan Turing", "Mathematician", "+44 161 496 0003"), ("Katherine Johnson", "Research Mathematician", "+1 757 555 0104"),
    ("Edsger Dijkstra", "Professor", "+31 40 247 0005"), ("Barbara Liskov", "Institute Professor", "+1 617 555 0106"),
    ("Donald Knuth", "Professor Emeritus", "+1 650 555 0107"), ("Frances Allen", "IBM Fellow", "+1 914 555 0108"),
    ("Tim Berners-Lee", "Director", "+44 20 7946 0009"), ("Margaret Hamilton", "Lead Engineer", "+1 617 555 0110"),
    ("Linus Torvalds", "Maintainer", "+1 503 555 0111"), ("Radia Perlman", "Fellow", "+1 425 555 0112"),
]


def template_folder() -> Path:
    path = storage.root() / "documents" / "templates"
    path.mkdir(parents=True, exist_ok=True)
    return path


def ensure_template(name: str, size_mm: tuple[float, float], layout) -> PrintTemplate:
    """A template whose background is (re)generated when its file is missing."""
    template = db.session.scalar(select(PrintTemplate).where(PrintTemplate.name == name))
    background = template_folder() / f"{name.lower().replace(' ', '-')}.pdf"
    if not background.is_file():
        samples.make_background(background, *size_mm, title=name)
    page_size, fields = layout()
    if template is None:
        template = PrintTemplate(name=name, background_path=storage.relative(background),
                                 page_sizes=[list(page_size)], fields=[f.as_dict() for f in fields])
        db.session.add(template)
        db.session.flush()
    return template


def ensure_item(name: str, fields: list[dict], workflow: dict, title: str) -> tuple[Module, Item, bool]:
    """The module called `name` and its item titled `title`; True when the item is new."""
    module = db.session.scalar(select(Module).where(Module.name == name))
    if module is None:
        module = Module(name=name, fields=fields, workflow=workflow)
        db.session.add(module)
        db.session.flush()
    item = next((i for i in db.session.scalars(select(Item).where(Item.module_id == module.id))
                 if i.data.get("title") == title), None)
    if item is None:
        item = Item(module_id=module.id, data={"title": title}, status=workflow.get("initial", ""))
        db.session.add(item)
        db.session.flush()
        return module, item, True
    return module, item, False


def seed_documents(workflow: dict) -> None:
    """Create what is missing (idempotent); the caller commits."""
    cards = ensure_template("Business card", (85, 55), samples.business_card_template)
    ensure_template("A5 flyer", (148, 210), samples.a5_flyer_template)

    _, request_item, new = ensure_item("Print requests", TITLE_FIELDS, workflow, "Spring business cards")
    if new:
        db.session.add(PrintRequest(item_id=request_item.id, template_id=cards.id))
        db.session.add_all(
            PrintInput(item_id=request_item.id, position=n, values={
                "name": name, "title": title, "phone": phone,
                "email": name.lower().replace(" ", ".").replace("-", "") + "@example.com"})
            for n, (name, title, phone) in enumerate(PEOPLE, 1))

    campaigns, campaign, new = ensure_item("Campaigns", TITLE_FIELDS, workflow, "Autumn launch")
    pages = db.session.scalar(select(InlineList).where(InlineList.module_id == campaigns.id, InlineList.name == "pages"))
    if pages is None:
        pages = InlineList(module_id=campaigns.id, name="pages", label="Pages")
        db.session.add(pages)
        db.session.flush()
    if new:
        for n, (title, count) in enumerate((("Cover", 1), ("Programme", 2), ("Order form", 1)), 1):
            path = samples.make_pdf(item_dir(campaign.id, "inline") / f"seed-{n}.pdf", count,
                                    text=f"{title} page {{n}}", page_labels=[(0, "/r", None, 1)] if n == 2 else None)
            db.session.add(InlineRow(item_id=campaign.id, list_id=pages.id, position=n, title=title,
                                     file_name=f"{title.lower().replace(' ', '-')}.pdf",
                                     file_path=storage.relative(path), pages=count))
