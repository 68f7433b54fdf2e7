"""Item operations on a module: export, report, bulk create/edit/change status, import."""
from __future__ import annotations


def register() -> None:
    from bgjobs.jobtypes.items import (bulk_change_status, bulk_create, bulk_edit, item_import, module_export,
                                       report_download)

    for module in (module_export, report_download, bulk_change_status, bulk_edit, bulk_create, item_import):
        module.register()
