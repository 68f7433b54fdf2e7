"""What the document jobs share: finding the item and its print request for a plan, the
"Open Item / Open Creative Automation Studio" target, and turning the library's DocumentError
into the message a user reads."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bgjobs.extensions import db
from bgjobs.host.models import Item, Module
from bgjobs.host.studio import PrintRequest, PrintTemplate
from bgjobs.jobs.context import JobContext
from bgjobs.jobs.types import InvalidParams
from bgjobs.jobtypes.common import checks
from bgjobs.jobtypes.documents.pdf import DocumentError


def item(params: dict) -> Item:
    found = db.session.get(Item, checks.as_int(params, "item_id", "item"))
    if found is None:
        raise InvalidParams("That item does not exist.")
    return found


def title(found: Item) -> str:
    return str(found.data.get("title") or f"Item {found.id}")


def module_name(found: Item) -> str:
    module = db.session.get(Module, found.module_id)
    return module.name if module else "Item"


def request(params: dict) -> tuple[Item, PrintRequest, PrintTemplate]:
    """The item, its print request and the request's template; InvalidParams when any is missing."""
    found = item(params)
    print_request = db.session.get(PrintRequest, found.id)
    if print_request is None:
        raise InvalidParams(f"“{title(found)}” is not a print request.")
    template = db.session.get(PrintTemplate, print_request.template_id) if print_request.template_id else None
    if template is None:
        raise InvalidParams("Choose a template first (step 1 of the Creative Automation Studio).")
    return found, print_request, template


def open_studio(ctx: JobContext, item_id: int, step: str | None = None) -> None:
    """Open Item leads to the item; Open Creative Automation Studio to this wizard step (the
    panel builds the URL from the step name)."""
    ctx.target = {"item_id": item_id, **({"studio_step": step} if step else {})}


@contextmanager
def user_errors() -> Iterator[None]:
    """A DocumentError becomes InvalidParams: the job fails with the library's message."""
    try:
        yield
    except DocumentError as exc:
        raise InvalidParams(str(exc)) from exc


@contextmanager
def fresh_folder(path: Path) -> Iterator[Path]:
    """A folder that is removed again if the block fails or is stopped: no partial output stays."""
    path.mkdir(parents=True, exist_ok=True)
    try:
        yield path
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)
        raise
