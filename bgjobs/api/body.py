"""Reading an API call's JSON body defensively: malformed, too deep or not an object is a 400
with a message, never a 500 (Python's parser raises RecursionError, not ValueError, on very deep
nesting, and anything deep that it does parse would only be walked again by the rules)."""
from __future__ import annotations

from flask import request
from werkzeug.exceptions import BadRequest

from bgjobs import defaults

MAX_DEPTH = defaults.MAX_JSON_DEPTH
SHAPE = 'Send JSON like {"type": "module_export", "params": {...}}.'


def json_object() -> dict:
    """The request's JSON object; BadRequest if it is missing, malformed, too deep or not an object."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        raise BadRequest(f"The JSON is nested too deeply (at most {MAX_DEPTH} levels).") from None
    if depth(body) > MAX_DEPTH:
        raise BadRequest(f"The JSON is nested too deeply (at most {MAX_DEPTH} levels).")
    if not isinstance(body, dict):
        raise BadRequest(SHAPE)
    return body


def depth(value) -> int:
    """How deeply lists and objects nest in a parsed JSON value (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        if level > MAX_DEPTH:  # no need to walk further
            return level
        stack.extend((child, level + 1) for child in children)
    return deepest
