"""The table of job types: a stable id, what users see (label, icon), what the panel offers
(stop, download, open), where it runs (queue, time limit), its parameters, its plan and its run.

Registration flows inward: each type module builds its complete `JobType` and calls
`register()`; `bgjobs.jobtypes.load()` does that once at app creation. This module never imports
the types, so the web side, the engine and the job types can all read it.

Writing a new type (one module under bgjobs/jobtypes/<family>/, plus an optional start-form
partial templates/jobtypes/<id>.html):

    def plan(params: dict, actor) -> Plan:      # check and normalise; raise InvalidParams
        ...                                     # actor: a User or a SystemTrigger
    def run(ctx: JobContext) -> None:           # do the work (see JobContext)
        ...
    def describe(params: dict) -> list[tuple[str, str]]:  # optional: the details in words
        ...                                     # (default: each Param's label and value)
    TYPE = JobType(id="my_type", label="My type", icon=ICON, params=(...), plan=plan, run=run,
                   describe_params=describe)
    def register() -> None: types.register(TYPE)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from bgjobs.jobs import describe
from bgjobs.jobs.errors import InvalidParams, UnknownJobType

if TYPE_CHECKING:
    from bgjobs.jobs.context import JobContext

__all__ = ["InvalidParams", "UnknownJobType", "JobType", "Param", "Plan", "register", "get", "all_types"]

# What "Open ..." buttons a type offers.
OPEN_MODULE = "module"  # Open Module (filtered by BatchID)
OPEN_ITEM = "item"  # Open Item
OPEN_STUDIO = "studio"  # Open Creative Automation Studio (wizard step)

# Queues by weight: item operations are light, media and documents heavy. The engine's own
# maintenance has a queue of its own (bgjobs.defaults.MAINTENANCE_QUEUE).
LIGHT, HEAVY = "light", "heavy"


@dataclass(frozen=True)
class Param:
    """One parameter as the API documents it and a start form sends it.

    kind: "int", "str", "choice", "list[int]", "list[str]", "dict", "text", or "file" (an
    uploaded file: the form sends the upload, the API the file's text; either way it is stored in
    the job's inputs area before `plan` runs, and the plan receives {"name", "path", "size"})."""

    name: str
    kind: str
    help: str
    required: bool = True
    choices: tuple[str, ...] = ()
    label: str = ""  # what the job's details call it; default: the name in words ("item_ids" -> "Items")

    @property
    def title(self) -> str:
        return self.label or describe.label(self.name)

    def as_dict(self) -> dict:
        data = {"name": self.name, "type": self.kind, "required": self.required, "help": self.help}
        if self.choices:
            data["choices"] = list(self.choices)
        return data

    def from_form(self, form) -> Any:
        """This parameter's value from a submitted form (a werkzeug MultiDict)."""
        if self.kind.startswith("list["):
            return form.getlist(self.name)
        return form.get(self.name)


@dataclass(frozen=True)
class Plan:
    """What submitting a job will create, decided from the parameters before anything is written."""

    params: dict
    description: str
    system: bool = False  # system-generated (e.g. an import whose template names Users to Notify)
    recipient_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class JobType:
    """A complete job type. `run` is None for a type the product lists but does not offer yet."""

    id: str
    label: str
    icon: str  # SVG path data for a 24x24 stroke icon, so a glance tells an export from an import
    stop: bool = False
    # A stop lands at the handler's next check_stop (between files), instead of RQ killing the
    # work horse mid-write: for types whose units are files written outside the job's folder.
    stops_between_units: bool = False
    download: bool = False
    opens: tuple[str, ...] = ()
    queue: str = LIGHT
    timeout: int | None = None  # seconds; None takes BGJOBS_JOB_TIMEOUT
    # Safe to run again from the start after a worker was restarted mid-job (it only reads and
    # writes its own result): such a job is re-queued instead of failed.
    retry_safe: bool = False
    # (job id, batch id) -> None: takes back what a run cut off mid-way had already written (its
    # work horse was killed: the worker died, or a restart's grace ran out), for a type that
    # promises all or nothing. Called by the worker before it records the job Failed or Stopped
    # (by reconcile just after it did); safe to repeat.
    take_back: Callable[[str, str | None], None] | None = None
    # Heavy libraries its run needs (e.g. ("PIL.Image", "av")), imported by a worker that takes
    # this type's queue when it starts, so each job's forked horse inherits them instead of
    # importing them again. A type module itself imports them only inside its run function, so
    # the web and the workers of other queues never load them.
    preload: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    # Check and normalise params for this actor; raise InvalidParams with a message they can act on.
    plan: Callable[[dict, Any], Plan] | None = None
    run: Callable[["JobContext"], None] | None = None
    # Where the host pages show its start form (templates/jobtypes/<id>.html): "module" (a card
    # on a module's page), "bulk" (the module's bulk bar, acting on the ticked items), "modules"
    # (the modules page), "item" (an item's page); None when it has no form.
    form: str | None = None
    # A form's fields -> params, when the generic per-Param reading does not fit.
    read_form: Callable[[Any], dict] | None = None
    # params -> [(label, value)] as a user reads them (names instead of ids); default: describe().
    describe_params: Callable[[dict], list[tuple[str, str]]] | None = None

    @property
    def available(self) -> bool:
        return self.run is not None and self.plan is not None

    def params_from_form(self, form) -> dict:
        if self.read_form is not None:
            return self.read_form(form)
        return {p.name: value for p in self.params if (value := p.from_form(form)) is not None}

    def describe(self, params: dict) -> list[tuple[str, str]]:
        """The parameters for the job's details: labels and values in words, never reprs."""
        if self.describe_params is not None:
            return self.describe_params(params)
        return describe.generic(self.params, params)

    @property
    def file_params(self) -> list[Param]:
        return [p for p in self.params if p.kind == "file"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "capabilities": {"stop": self.stop, "download": self.download, "open": list(self.opens)},
            "available": self.available,
            "parameters": [p.as_dict() for p in self.params],
        }


_TYPES: dict[str, JobType] = {}


def register(job_type: JobType) -> None:
    """Add a type (called by each type module's register()). A second, different type under the
    same id is a programming error; registering the same one again is harmless."""
    known = _TYPES.get(job_type.id)
    if known is not None and known != job_type:
        raise ValueError(f"job type {job_type.id!r} is registered twice")
    _TYPES[job_type.id] = job_type


def get(type_id: str) -> JobType:
    try:
        return _TYPES[type_id]
    except KeyError:
        raise UnknownJobType(f"Unknown job type “{type_id}”; GET /api/job-types lists them.") from None


def all_types() -> list[JobType]:
    return list(_TYPES.values())


def with_form(place: str) -> list[JobType]:
    """The available types whose start form goes on this kind of host page."""
    return [t for t in _TYPES.values() if t.form == place and t.available]
