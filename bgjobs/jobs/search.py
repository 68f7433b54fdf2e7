"""Find any job: the conditions the panel's filters add to a page's query, each answered by an
index. Type: (owner, origin, type, created, id). Dates: a range on created within the page's index.
Text: the description and file name through PostgreSQL's trigram GIN indexes or SQLite's FTS5
trigram table (both made by the migration panel_01), or a job id (a prefix range on the key)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import column, false, literal_column, or_, select, table, text

from bgjobs import defaults
from bgjobs.extensions import db
from bgjobs.jobs.models import Job

JOB_ID_PREFIX = re.compile(r"[0-9a-f]{6,32}")
# A term matching more rows than this (in every user's jobs) is searched along the page's own
# index instead, where a common term soon fills a page; fewer are looked up through the text index.
TEXT_LOOKUP_LIMIT = defaults.SEARCH_LOOKUP_LIMIT
FTS = table("jobs_fts", column("rowid"))


@dataclass(frozen=True)
class Find:
    """The panel's filters beside the status: a job type, a creation date range (start inclusive,
    end exclusive, UTC) and a text."""

    type: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str = ""

    def __bool__(self) -> bool:
        return bool(self.type or self.since or self.until or self.text)


def conditions(find: Find | None, created) -> list:
    """WHERE conditions on Job for these filters; `created` is the page's created column."""
    if not find:
        return []
    out = []
    if find.type:
        out.append(Job.type == find.type)
    if find.since:
        out.append(created >= find.since)
    if find.until:
        out.append(created < find.until)
    if find.text:
        out.append(text_match(find.text))
    return out


def text_match(query: str):
    """Jobs whose description or file name contains `query` (case-insensitive), or whose id starts with it."""
    query = query.strip()
    by_id = []
    if JOB_ID_PREFIX.fullmatch(query.lower()):
        # Looked up first on the key (every hex digit sorts before "g"), so the page's query gets
        # a short list of ids rather than an OR that no index of the page answers.
        q = query.lower()
        hits = db.session.scalars(select(Job.id).where(Job.id >= q, Job.id < q + "g").limit(TEXT_LOOKUP_LIMIT)).all()
        by_id = [Job.id.in_(hits)] if hits else []
    if db.engine.dialect.name == "sqlite":
        return or_(*by_id, _sqlite_text(query))
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(*by_id, Job.description.ilike(pattern, escape="\\"), Job.result_name.ilike(pattern, escape="\\"))


def _sqlite_text(query: str):
    like = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    scan = or_(Job.description.ilike(like, escape="\\"), Job.result_name.ilike(like, escape="\\"))
    if len(query) < 3:  # the trigram index needs three characters
        return scan
    match = '"' + query.replace('"', '""') + '"'  # one phrase: a substring match
    rowids = db.session.scalars(
        select(FTS.c.rowid).where(text("jobs_fts MATCH :q")).limit(TEXT_LOOKUP_LIMIT + 1), {"q": match}
    ).all()
    if len(rowids) > TEXT_LOOKUP_LIMIT:
        return scan  # common: the page's index order finds a page of matches soon
    if not rowids:
        return false()
    return literal_column("jobs.rowid").in_(rowids)
