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
        data arrives with its source's key; the copies of one key get the lowest free numbers, in
        order. Keys given to earlier chunks are committed, so the lookup sees them."""
        for field in self.fields:
            by_key: dict[str, list[dict]] = {}
            for data in copies:
                if base := keys.as_key(data.get(field)):
                    by_key.setdefault(base, []).append(data)
            self._assign(field, by_key)

    def _assign(self, field: str, by_key: dict[str, list[dict]]) -> None:
        """Try the next numbers of each key (as many as it has copies left), keep the free ones,
        and go on past them until every copy has a key: one indexed query a round. Two keys never
        compete for a name: "<key>-COPY-<n>" ends in the number, so it tells its key."""
        start = dict.fromkeys(by_key, 1)
        while by_key:
            tried = {base: [f"{base}{SUFFIX}{n}" for n in range(start[base], start[base] + len(copies))]
                     for base, copies in by_key.items()}
            taken = keys.matches(self.module.id, field, [name for names in tried.values() for name in names])
            for base, copies in list(by_key.items()):
                free = [name for name in tried[base] if name not in taken]
                for data, name in zip(copies, free):
                    data[field] = name
                start[base] += len(tried[base])
                if len(free) < len(copies):
                    by_key[base] = copies[len(free):]
                else:
                    del by_key[base]
