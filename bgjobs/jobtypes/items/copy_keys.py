"""New import keys for copies: a copy of an item keeps its fields, but a field that an import
template of the module matches rows on (its key, e.g. a SKU) must go on naming one item, or a
later import of that key would update one of the copies at random. Each copy's key becomes
"<key>-COPY-<n>", with n the copy's number, or the next free number when that key is taken."""
from __future__ import annotations

from bgjobs.host import keys
from bgjobs.host.models import Module

SUFFIX = "-COPY-"


class Renamer:
    """Gives the copies of one Bulk Create job new keys, a chunk of copies at a time."""

    def __init__(self, module: Module):
        self.module = module
        self.fields = keys.key_fields(module)
        for field in self.fields:
            keys.ensure_index(field)

    def rename(self, copies: list[dict]) -> None:
        """Replace each key field's value in these copies' data (in place) by a free key. A copy's
        data arrives with its source's key; copies of one source are numbered 1, 2, ... in order.
        Keys given to earlier chunks are committed, so the lookup sees them."""
        for field in self.fields:
            numbers: dict[str, int] = {}
            wanted = []
            for data in copies:
                base = keys.as_key(data.get(field))
                if base:
                    numbers[base] = numbers.get(base, 0) + 1
                    wanted.append((data, base, numbers[base]))
            self._assign(field, wanted)

    def _assign(self, field: str, wanted: list[tuple[dict, str, int]]) -> None:
        """Try each copy's own number first; the copies whose key is taken try the numbers after
        the highest one tried for their source, until all are free (one indexed query a round)."""
        next_free: dict[str, int] = {}
        given: set[str] = set()  # keys given in this chunk, not yet in the database
        while wanted:
            candidates = [(data, base, f"{base}{SUFFIX}{n}", n) for data, base, n in wanted]
            used = set(keys.matches(self.module.id, field, [c[2] for c in candidates])) | given
            wanted = []
            for data, base, key, n in candidates:
                if key in used:
                    number = max(next_free.get(base, 0), n) + 1
                    next_free[base] = number
                    wanted.append((data, base, number))
                else:
                    data[field] = key
                    used.add(key)
                    given.add(key)
