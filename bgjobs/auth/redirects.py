"""Where a login may send the browser next: only a path on this site.

`next` comes from the query string, so anyone can craft it. Browsers are lenient in ways a naive
"starts with / but not //" check misses: they drop tabs and newlines inside URLs (`/\t/evil` is
`//evil`), treat a backslash as a slash (`/\\evil`), and a percent-encoded form may be decoded once
more on the way. A target is accepted only if, both as sent and decoded once more, it has no
scheme, no host, no backslash, no control or whitespace character, and starts with a single "/"."""
from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit


def safe_next(target: str | None) -> str | None:
    """`target` if it is a same-site path, else None (the caller uses its default page)."""
    if not target or len(target) > 2048:
        return None
    for form in (target, unquote(target)):
        if not _plain_path(form):
            return None
    return target


def _plain_path(text: str) -> bool:
    if not text.startswith("/") or text.startswith("//") or "\\" in text:
        return False
    if any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in text):
        return False
    parts = urlsplit(text)
    return not parts.scheme and not parts.netloc
