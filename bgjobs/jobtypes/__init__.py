"""The job types, by family (items/, media/, documents/), with their shared helpers in common/.

`load()` registers every type in the table of bgjobs.jobs.types; the composition roots call it
once (create_app). Importing this package registers nothing."""
from __future__ import annotations


def load() -> None:
    """Register each family's types."""
    from bgjobs.jobtypes import documents, items, media

    items.register()
    media.register()
    documents.register()
