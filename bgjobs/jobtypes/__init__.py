"""Implementations of the registry's job types, keyed by type id (see bgjobs.registry)."""
from __future__ import annotations

from . import bulk_change_status, bulk_create, bulk_edit, item_import, module_export, report_download

IMPLEMENTATIONS = {
    "module_export": module_export.IMPLEMENTATION,
    "report_download": report_download.IMPLEMENTATION,
    "bulk_change_status": bulk_change_status.IMPLEMENTATION,
    "bulk_edit": bulk_edit.IMPLEMENTATION,
    "bulk_create": bulk_create.IMPLEMENTATION,
    "item_import": item_import.IMPLEMENTATION,
}
