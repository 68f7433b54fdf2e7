"""Job types the product lists (DESIGN.md section 4) but does not offer yet: the API shows them
as unavailable. A family that builds one registers it first; load() then skips it here."""
from __future__ import annotations

from bgjobs.jobs import types
from bgjobs.jobs.types import HEAVY, JobType

PLANNED = (
    JobType("bulk_download", "Bulk Download", '<rect x="3" y="4" width="18" height="5" rx="1"/><path d="M5 9v10a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1V9"/><path d="M10 13h4"/>',
            download=True, queue=HEAVY),
    JobType("image_edit_download", "Download from the Image Editing Tool", '<rect x="3" y="3" width="18" height="18" rx="2"/><circle cx="9" cy="9" r="2"/><path d="m21 15-5-5L5 21"/>',
            download=True, queue=HEAVY),
    JobType("video_edit_download", "Download from the Video Editing Tool", '<rect x="2" y="5" width="14" height="14" rx="2"/><path d="m16 10 6-4v12l-6-4z"/>',
            download=True, queue=HEAVY),
)


def register() -> None:
    """Register every planned type that no family has registered yet."""
    known = {t.id for t in types.all_types()}
    for job_type in PLANNED:
        if job_type.id not in known:
            types.register(job_type)
