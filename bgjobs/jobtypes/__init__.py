"""Implementations of the registry's job types, keyed by type id (see bgjobs.registry)."""
from __future__ import annotations

from . import bulk_change_status, item_import, module_export

IMPLEMENTATIONS = {
    "module_export": module_export.IMPLEMENTATION,
    "bulk_change_status": bulk_change_status.IMPLEMENTATION,
    "item_import": item_import.IMPLEMENTATION,
}
