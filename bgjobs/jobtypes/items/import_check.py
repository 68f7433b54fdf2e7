"""The Item Import's first pass: every row of the file is checked, nothing is written to items.
Each row lands in the staging table (bgjobs.host.staging) with its key and, when it is rejected,
the reason, a chunk of rows per short transaction; so memory stays flat in the file's size and the
write pass, the error message and the rejected-rows report all read the verdicts from there."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String, and_, cast, delete, exists, func, insert, literal, select, update
from sqlalchemy.orm import aliased

from bgjobs import defaults
from bgjobs.extensions import db
from bgjobs.host import keys
from bgjobs.host.models import ImportTemplate, Module
from bgjobs.host.staging import ImportRow
from bgjobs.jobs.context import JobContext
from bgjobs.jobtypes.common import checks as p
from bgjobs.jobtypes.common.tabular import Row, Table

CHUNK = defaults.IMPORT_CHECK_CHUNK
STAGING = ImportRow.__table__


@dataclass(frozen=True)
class RowSpec:
    """How a template reads a row: column -> field, which fields are numbers, which is the key."""

    mapping: dict[str, str]
    numbers: frozenset[str]
    key_field: str
    key_column: str  # the key's column in the file, as messages name it

    @classmethod
    def of(cls, template: ImportTemplate, module: Module) -> "RowSpec":
        numbers = frozenset(f["name"] for f in module.fields if f.get("type") == "number")
        column = next((c for c, f in template.mapping.items() if f == template.key_field), template.key_field)
        return cls(dict(template.mapping), numbers, template.key_field, column)

    def values(self, row: Row) -> tuple[dict | None, str | None]:
        """({field: value}, None) for a row that can be imported, else (values or None, "Row n: why")."""
        if row.error:
            return None, row.error[:1].upper() + row.error[1:]
        values, problems = {}, []
        for column, field in self.mapping.items():
            value = row.values[column].strip()
            if field in self.numbers and value:
                try:
                    value = p.number(value)
                except ValueError:
                    problems.append(f"{column} must be a number, not “{value[:60]}”")
            values[field] = value
        key = keys.as_key(values.get(self.key_field))
        if not key:
            problems.append(f"{self.key_column} (the key field) is empty")
        elif len(key) > keys.MAX_KEY_LENGTH:
            problems.append(f"{self.key_column} is {len(key):,} characters long, over the {keys.MAX_KEY_LENGTH} limit")
        return values, (f"Row {row.number}: " + "; ".join(problems)) if problems else None


@dataclass(frozen=True)
class Verdict:
    rows: int
    rejected: int
    first_errors: list[str]


def check(ctx: JobContext, table: Table, spec: RowSpec, module_id: int) -> Verdict:
    """Check every row: readable, values of the right kind, a key that is present, matches at most
    one item and does not repeat an earlier row. Records each row's verdict in staging."""
    rows, chunk = 0, []
    for row in table:
        chunk.append(row)
        if len(chunk) == CHUNK:
            rows += _stage(ctx.job_id, chunk, spec, module_id)
            chunk = []
            ctx.progress(0, 0, f"Checking the file: {rows:,} rows read")
    rows += _stage(ctx.job_id, chunk, spec, module_id)
    ctx.progress(0, 0, f"Checking the file: {rows:,} rows read")
    _mark_repeats(ctx.job_id, spec)
    rejected = db.session.scalar(
        select(func.count()).select_from(ImportRow).where(ImportRow.job_id == ctx.job_id, ImportRow.error.is_not(None)))
    first = db.session.scalars(
        select(ImportRow.error).where(ImportRow.job_id == ctx.job_id, ImportRow.error.is_not(None))
        .order_by(ImportRow.row).limit(defaults.MAX_REPORTED_ROWS)).all()
    db.session.rollback()
    return Verdict(rows, rejected, list(first))


def _stage(job_id: str, chunk: list[Row], spec: RowSpec, module_id: int) -> int:
    """One chunk's verdicts, in one short transaction; a key that already names several items
    of the module is rejected (an update would pick one of them at random)."""
    if not chunk:
        return 0
    staged = []
    for row in chunk:
        values, error = spec.values(row)
        key = keys.as_key(values.get(spec.key_field)) if values and not error else None
        staged.append({"job_id": job_id, "row": row.number, "key": key, "error": error})
    found = keys.matches(module_id, spec.key_field, [s["key"] for s in staged if s["key"]])
    for entry in staged:
        count = len(found.get(entry["key"], ())) if entry["key"] else 0
        if count > 1:
            entry["error"] = f"Row {entry['row']}: {spec.key_column} “{entry['key']}” matches {count} items"
            entry["key"] = None
    db.session.execute(insert(STAGING), staged)
    db.session.commit()
    return len(staged)


def _mark_repeats(job_id: str, spec: RowSpec) -> None:
    """A row whose key an earlier accepted row already has is rejected, naming that row; done in
    the database (a set of every key would grow with the file), a range of rows per transaction."""
    last = db.session.scalar(select(func.max(ImportRow.row)).where(ImportRow.job_id == job_id)) or 0
    earlier = aliased(ImportRow)
    first_row = (select(func.min(earlier.row)).where(earlier.job_id == ImportRow.job_id, earlier.key == ImportRow.key,
                                                     earlier.error.is_(None)).scalar_subquery())
    repeated = exists().where(earlier.job_id == ImportRow.job_id, earlier.key == ImportRow.key,
                              earlier.row < ImportRow.row, earlier.error.is_(None))
    message = (literal("Row ") + cast(ImportRow.row, String) + literal(f": {spec.key_column} “")
               + ImportRow.key + literal("” repeats row ") + cast(first_row, String))
    step = CHUNK * 5
    for start in range(0, last + 1, step):
        db.session.execute(
            update(ImportRow)
            .where(ImportRow.job_id == job_id, ImportRow.row.between(start, start + step - 1),
                   ImportRow.error.is_(None), ImportRow.key.is_not(None), repeated)
            .values(error=message)
            .execution_options(synchronize_session=False))
        db.session.commit()


def clear(job_id: str) -> None:
    """Remove an import's staging rows, a range at a time (the import has ended)."""
    db.session.rollback()
    while True:
        bound = db.session.scalar(select(ImportRow.row).where(ImportRow.job_id == job_id)
                                  .order_by(ImportRow.row).offset(CHUNK * 5).limit(1))
        where = [ImportRow.job_id == job_id] + ([ImportRow.row < bound] if bound is not None else [])
        db.session.execute(delete(ImportRow).where(and_(*where)).execution_options(synchronize_session=False))
        db.session.commit()
        if bound is None:
            return
