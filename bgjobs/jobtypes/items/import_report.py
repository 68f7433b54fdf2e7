"""The rejected rows of an import as a CSV a user can fix and import again: the file's own columns
with the row's values as read, plus a "reason" column. Written by streaming the file once more
beside the staged verdicts (both in row order), so its memory stays flat too. It is kept in the
job's reports area, which outlives a failed job's files and goes when the job is deleted."""
from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select

from bgjobs.extensions import db
from bgjobs.host.staging import ImportRow
from bgjobs.jobs import storage
from bgjobs.jobtypes.common.tabular import Table

REPORT_NAME = storage.REJECTED_ROWS
REASON = "reason"
CHUNK = 1000


def write_report(job_id: str, table: Table) -> Path:
    """Write reports/<job id>/rejected-rows.csv from the staged verdicts; returns its path."""
    path = storage.report_path(job_id, REPORT_NAME)
    header = list(table.header)
    # A report imported again and rejected again keeps one reason column, with the new reason.
    reason_at = header.index(REASON) if REASON in header else len(header)
    errors = _errors(job_id)
    current = next(errors, None)
    with path.open("w", newline="", encoding="utf-8-sig") as out:  # the BOM: Excel reads it as UTF-8
        writer = csv.writer(out)
        writer.writerow(header if reason_at < len(header) else [*header, REASON])
        for row in table:
            if current is None:
                break
            if row.number != current[0]:
                continue
            cells = [row.values[name] for name in header] if row.values else [""] * len(header)
            cells[reason_at:reason_at + 1] = [current[1]]
            writer.writerow(cells)
            current = next(errors, None)
    return path


def _errors(job_id: str) -> Iterator[tuple[int, str]]:
    """(row, reason) of every rejected row, in row order, a chunk per query."""
    last = 0
    while True:
        chunk = db.session.execute(
            select(ImportRow.row, ImportRow.error)
            .where(ImportRow.job_id == job_id, ImportRow.error.is_not(None), ImportRow.row > last)
            .order_by(ImportRow.row).limit(CHUNK)).all()
        db.session.rollback()
        if not chunk:
            return
        yield from ((r.row, r.error) for r in chunk)
        last = chunk[-1].row
