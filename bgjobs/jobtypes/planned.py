"""Job types the product lists (DESIGN.md section 4) but does not offer yet: the API shows them
as unavailable. A family that builds one registers it first; load() then skips it here."""
from __future__ import annotations

from bgjobs.jobs import types
from bgjobs.jobs.types import HEAVY, OPEN_ITEM, OPEN_STUDIO, JobType

PLANNED = (
    JobType("cas_import_inputs", "Import of inputs into Creative Automation Print Studio", '<path d="M12 3v12"/><path d="m7 10 5 5 5-5"/><path d="M4 15v4a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-4"/>',
            opens=(OPEN_ITEM, OPEN_STUDIO), queue=HEAVY),
    JobType("merge_pdf_inline", "Merge PDF from an Inline Module", '<path d="M14 3H6a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V9z"/><path d="M14 3v6h6"/><path d="M8 13h8M8 17h5"/>',
            download=True, opens=(OPEN_ITEM,), queue=HEAVY),
    JobType("cas_merge_pdf", "Merge PDF from Creative Automation Print Studio", '<path d="M14 3H6a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V9z"/><path d="M14 3v6h6"/><path d="M8 13h8M8 17h5"/>',
            download=True, opens=(OPEN_ITEM, OPEN_STUDIO), queue=HEAVY),
    JobType("cas_generate_outputs", "Generating outputs from Creative Automation Print Studio", '<path d="M6 9V3h12v6"/><rect x="3" y="9" width="18" height="8" rx="2"/><path d="M6 14h12v7H6z"/>',
            opens=(OPEN_ITEM, OPEN_STUDIO), queue=HEAVY),
)


def register() -> None:
    """Register every planned type that no family has registered yet."""
    known = {t.id for t in types.all_types()}
    for job_type in PLANNED:
        if job_type.id not in known:
            types.register(job_type)
