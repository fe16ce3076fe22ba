"""Nested Python values (tuples, lists, dicts, arrays, numbers, strings) as JSON + named arrays, and
back, so that caches and gradient dictionaries cross a process boundary without pickle.

encode(obj) -> (node, arrays): node is JSON-able; every ndarray becomes {"array": key} with the array
in `arrays`. Anything else (a function, a custom object) becomes {"other": type name}.
"""
from __future__ import annotations

import numbers

import numpy as np


def encode(obj, arrays: dict | None = None, prefix: str = "v") -> tuple[object, dict]:
    arrays = {} if arrays is None else arrays

    def enc(o, path):
        if isinstance(o, np.ndarray):
            if o.dtype == object:
                return {"other": "ndarray of Python objects"}
            key = f"{prefix}{len(arrays)}"
            arrays[key] = o
            return {"array": key}
        if isinstance(o, np.generic):
            o = o.item()                   # a NumPy scalar: as the Python number it holds
        if isinstance(o, bool) or o is None or isinstance(o, str):
            return {"value": o}
        if isinstance(o, numbers.Real):
            v = float(o)                   # inf / NaN are not JSON: they travel as 0-d arrays
            return {"number": o} if np.isfinite(v) else {"array": _scalar(np.float64(v), arrays, prefix)}
        if isinstance(o, tuple):
            return {"tuple": [enc(x, f"{path}.{i}") for i, x in enumerate(o)]}
        if isinstance(o, list):
            return {"list": [enc(x, f"{path}.{i}") for i, x in enumerate(o)]}
        if isinstance(o, dict):
            return {"dict": [[str(k), enc(v, f"{path}.{k}")] for k, v in o.items()]}
        return {"other": type(o).__name__}

    return enc(obj, ""), arrays


def _scalar(v, arrays, prefix):
    key = f"{prefix}{len(arrays)}"
    arrays[key] = np.asarray(v)
    return key


def decode(node, arrays: dict):
    if "array" in node:
        return arrays[node["array"]]
    if "number" in node:
        return node["number"]
    if "value" in node:
        return node["value"]
    if "tuple" in node:
        return tuple(decode(x, arrays) for x in node["tuple"])
    if "list" in node:
        return [decode(x, arrays) for x in node["list"]]
    if "dict" in node:
        return {k: decode(v, arrays) for k, v in node["dict"]}
    return Other(node.get("other", "?"))


class Other:
    """A value the student's code returned that is not data (a function, an object)."""

    def __init__(self, kind: str):
        self.kind = kind

    def __repr__(self) -> str:
        return f"<{self.kind}>"
