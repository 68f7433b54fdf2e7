"""The registry of job types: a stable id, the label users see, and the capabilities the panel
offers (stop, download, open), exactly as DESIGN.md section 4. A type becomes runnable when an
implementation in bgjobs.jobtypes supplies its parameters, its input check and its handler."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from .context import JobContext
    from .users import User

# What "Open ..." buttons a type offers.
OPEN_MODULE = "module"  # Open Module (filtered by BatchID)
OPEN_ITEM = "item"  # Open Item
OPEN_STUDIO = "studio"  # Open Creative Automation Studio (wizard step)


class UnknownJobType(KeyError):
    pass


class InvalidParams(ValueError):
    """Input a user can fix; the message is shown to them as it is."""


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # "int", "str", "list[int]", "list[str]", "dict", "choice", "text"
    help: str
    required: bool = True
    choices: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        data = {"name": self.name, "type": self.kind, "required": self.required, "help": self.help}
        if self.choices:
            data["choices"] = list(self.choices)
        return data


@dataclass(frozen=True)
class Plan:
    """What submitting a job will create, decided from the parameters before anything is written."""

    params: dict
    description: str
    system: bool = False  # system-generated (e.g. an import whose template names Users to Notify)
    recipient_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Implementation:
    run: Callable[["JobContext"], None]
    # Check and normalise params for this user; raise InvalidParams with a message they can act on.
    plan: Callable[[dict, "User"], Plan]
    params: tuple[Param, ...] = ()


@dataclass(frozen=True)
class JobType:
    id: str
    label: str
    icon: str
    stop: bool = False
    download: bool = False
    opens: tuple[str, ...] = ()
    impl: Implementation | None = field(default=None, compare=False)

    @property
    def available(self) -> bool:
        return self.impl is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "capabilities": {"stop": self.stop, "download": self.download, "open": list(self.opens)},
            "available": self.available,
            "parameters": [p.as_dict() for p in self.impl.params] if self.impl else [],
        }


# id, label, icon, stop, download, opens — the table in DESIGN.md section 4.
DECLARED: tuple[tuple[str, str, str, bool, bool, tuple[str, ...]], ...] = (
    ("cas_import_inputs", "Import of inputs into Creative Automation Print Studio", "📥", False, False, (OPEN_ITEM, OPEN_STUDIO)),
    ("bulk_create", "Bulk Create", "➕", False, False, (OPEN_MODULE,)),
    ("bulk_edit", "Bulk Edit", "✏️", False, False, (OPEN_MODULE,)),
    ("bulk_change_status", "Bulk Change Status", "🔀", False, False, (OPEN_MODULE,)),
    ("bulk_download", "Bulk Download", "🗜️", False, True, ()),
    ("merge_pdf_inline", "Merge PDF from an Inline Module", "📑", False, True, (OPEN_ITEM,)),
    ("cas_merge_pdf", "Merge PDF from Creative Automation Print Studio", "📑", False, True, (OPEN_ITEM, OPEN_STUDIO)),
    ("cas_generate_outputs", "Generating outputs from Creative Automation Print Studio", "🖨️", False, False, (OPEN_ITEM, OPEN_STUDIO)),
    ("image_edit_download", "Download from the Image Editing Tool", "🖼️", False, True, ()),
    ("video_edit_download", "Download from the Video Editing Tool", "🎬", False, True, ()),
    ("module_export", "Export from a module", "📤", True, True, ()),
    ("report_download", "Download a Report", "📊", True, True, ()),
    ("run_converters", "Run Converters", "🔄", True, False, ()),
    ("generate_missing_previews", "Generate Missing Previews", "👁️", True, False, ()),
    ("clean_media_holders", "Clean Media Holders", "🧹", True, False, ()),
    ("item_import", "Item Import", "📋", False, False, (OPEN_MODULE,)),
)


@cache
def registry() -> dict[str, JobType]:
    """Built once, on first use (importing this module registers nothing)."""
    from .jobtypes import IMPLEMENTATIONS

    unknown = set(IMPLEMENTATIONS) - {row[0] for row in DECLARED}
    if unknown:
        raise UnknownJobType(f"implementations for undeclared job types: {sorted(unknown)}")
    return {
        type_id: JobType(type_id, label, icon, stop, download, opens, IMPLEMENTATIONS.get(type_id))
        for type_id, label, icon, stop, download, opens in DECLARED
    }


def get(type_id: str) -> JobType:
    try:
        return registry()[type_id]
    except KeyError:
        raise UnknownJobType(type_id) from None


def all_types() -> list[JobType]:
    return list(registry().values())
