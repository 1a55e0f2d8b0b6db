"""Shared pieces of the fuzz tests: random changes to parsed JSON and to raw bytes, and the sentence check."""

from __future__ import annotations

import copy
import random
from typing import Sequence

# Values of every JSON type and some that only Python can hold: wrong types, edge numbers, junk text.
ODD_VALUES = [None, True, False, 0, -1, 1, 2**63, -2**70, 1.5, float("inf"), "", "0.05", "not a date", "\u202eevil",
              "x" * 5000, [], [1, [2, [3]]], {}, {"a": {"b": None}}, "\x00", "2025-13-45T99:99"]


def mutate(data: object, rng: random.Random, odd_values: Sequence[object] = ODD_VALUES,
           new_keys: Sequence[str] = ("extra",)) -> object:
    """One random change somewhere in the tree: a value replaced, a key removed or added, a list reordered."""
    containers = []

    def walk(node: object) -> None:
        if isinstance(node, (dict, list)):
            containers.append(node)
            for child in (node.values() if isinstance(node, dict) else node):
                walk(child)

    walk(data)
    target = rng.choice(containers)
    action = rng.random()
    if isinstance(target, dict) and target:
        key = rng.choice(list(target))
        if action < 0.6:
            target[key] = copy.deepcopy(rng.choice(list(odd_values) + [rng.choice(list(target.values()))]))
        elif action < 0.8:
            del target[key]
        else:
            target[rng.choice(list(new_keys))] = copy.deepcopy(rng.choice(odd_values))
    elif isinstance(target, list) and target:
        if action < 0.4:
            rng.shuffle(target)
        elif action < 0.7:
            target.pop(rng.randrange(len(target)))
        else:
            target.append(copy.deepcopy(rng.choice(target)))
    return data


def damage(raw: bytes, rng: random.Random) -> bytes:
    """The bytes of a file, broken: cut, invalid UTF-8 or a BOM spliced in, replaced by other JSON or junk."""
    kind = rng.randrange(6)
    if kind == 0:
        return raw[: rng.randrange(len(raw))]
    if kind == 1:
        at = rng.randrange(len(raw))
        return raw[:at] + rng.choice([b"\xff\xfe", b"\xc3", b"\xed\xa0\x80", b"\x00"]) + raw[at:]
    if kind == 2:
        return b"\xef\xbb\xbf" + raw
    if kind == 3:
        return rng.choice([b"", b"null", b"[]", b"42", b'"x"', b"{" * 100_000, b"[" * 20_000 + b"]" * 20_000])
    if kind == 4:
        return raw.replace(b"{", b"[", 1)
    return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))


def assert_one_sentence(message: str) -> None:
    """What a user is shown: one line ending in a full stop, without a traceback or a library's dump."""
    assert message.endswith(".") and "\n" not in message, message
    assert "Traceback" not in message and "onnxruntime_src" not in message and len(message) < 300, message
