"""``journal.canonical_json`` for many payloads of one shape, several times faster.

A registration import journals tens of thousands of payloads with the same
keys in the same order (``entrant_registered``: eleven keys, two small
dicts). ``json.dumps(..., sort_keys=True)`` sorts and escapes every key of
every payload again. Here each key order met is sorted and its keys escaped
once, into a small encoder made for that order (as ``dataclasses`` and
``namedtuple`` make their methods: Python source, compiled once), and each
payload then costs only its values, each encoded by the function ``json``
itself uses for it (its C string escaper for ``ensure_ascii=False``,
``int.__repr__``, ``null``, ``true``, ``false``). The timing path's payloads
(an impulse: twenty-odd keys, four of them bools) take the same road.

The text is the same, character for character: anything this module does not
encode itself (a float, a list, a str or int subclass, a key that is
not a ``str``, a dict nested more than a few deep) sends the whole payload to
``canonical_json``. ``tests/competition/test_payload_json.py`` holds the two to
the same text.
"""

from __future__ import annotations

from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any

from competition.journal import canonical_json

_MAX_DEPTH = 4
_MAX_ENCODERS = 256
_Encoder = Callable[[dict[Any, Any], int], str]
_encoders: dict[tuple[Any, ...], _Encoder] = {}


class _NotPlain(Exception):
    """A value this module leaves to ``json``."""


def _make_encoder(keys: tuple[Any, ...]) -> _Encoder:
    """An encoder for dicts whose keys come in this order: values in ``json``'s sorted key order."""
    if any(key.__class__ is not str for key in keys):
        raise _NotPlain
    ordered = sorted(keys)
    lines = ["def encode(value, depth):"]
    pieces = []
    for n, key in enumerate(ordered):
        lines += [
            f"    item = value[{key!r}]",
            "    kind = item.__class__",
            f"    if kind is str: v{n} = escape(item)",
            f"    elif item is None: v{n} = 'null'",
            f"    elif item is True: v{n} = 'true'",
            f"    elif item is False: v{n} = 'false'",
            f"    elif kind is int: v{n} = int_text(item)",
            f"    elif kind is dict: v{n} = nested(item, depth + 1)",
            "    else: raise NotPlain",
        ]
        head = ("{" if n == 0 else ",") + encode_basestring(key) + ":"
        pieces += [repr(head), f"v{n}"]
    lines.append("    return ''.join((" + ", ".join(pieces) + ", '}'))")
    scope: dict[str, Any] = {"escape": encode_basestring, "int_text": int.__repr__, "nested": _object,
                             "NotPlain": _NotPlain}
    exec("\n".join(lines), scope)  # our own source: the keys enter it only as repr() literals
    encoder: _Encoder = scope["encode"]
    return encoder


def _object(value: dict[Any, Any], depth: int) -> str:
    if not value:
        return "{}"
    if depth > _MAX_DEPTH:
        raise _NotPlain
    keys = tuple(value)
    encoder = _encoders.get(keys)
    if encoder is None:
        encoder = _make_encoder(keys)
        if len(_encoders) < _MAX_ENCODERS:
            _encoders[keys] = encoder
    return encoder(value, depth)


def payload_text(payload: dict[str, Any]) -> str:
    """Exactly ``canonical_json(payload)``."""
    if payload.__class__ is dict:
        try:
            return _object(payload, 0)
        except _NotPlain:
            pass
    return canonical_json(payload)
