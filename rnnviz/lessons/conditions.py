"""What a page waits for, as a condition on the window's state: "t == 4", "verdict == exploding",
"phase == backward and t <= 3", "grad_last[1] < 1e-6", "clip_mode != none".

Grammar: clauses joined by `and` (all must hold) or `or` (one must; `and` binds tighter); a clause is
NAME, NAME[step] (as in the text's placeholders) followed by one of == != < <= > >= and a number, a
word ('quoted' for words with spaces), or another live value's name (t == T: compared with its value). Words compare with == and != only. A value that is not
available (no trace yet, or inf/NaN for < and >) makes its clause false.
"""
from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass

from .values import VALUES, Context, parse_index, read_value

OPS = {"==": operator.eq, "!=": operator.ne, "<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}
CLAUSE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)(?:\[([^\]]*)\])?\s*(==|!=|<=|>=|<|>)\s*(.+?)\s*$")


class ConditionError(ValueError):
    pass


@dataclass(frozen=True)
class Clause:
    name: str
    index: str | None
    op: str
    value: object           # float, str, or Ref (another live value)

    def holds(self, ctx: Context) -> bool:
        try:
            v = read_value(ctx, self.name, self.index)
            other = read_value(ctx, self.value.name) if isinstance(self.value, Ref) else self.value
        except (KeyError, ValueError):
            return False
        if v is None or other is None:
            return False
        if isinstance(self.value, Ref) and (isinstance(v, str) or isinstance(other, str)):
            return self.op in ("==", "!=") and OPS[self.op](str(v), str(other))
        if isinstance(other, str):
            return OPS[self.op](str(v), other)
        try:
            v, other = float(v), float(other)
        except (TypeError, ValueError):
            return False
        if math.isnan(v) or math.isnan(other):
            return self.op == "!="
        return bool(OPS[self.op](v, other))


@dataclass(frozen=True)
class Ref:
    """Another live value on the right of a clause: `t == T`, `loss_t < loss`."""
    name: str


@dataclass(frozen=True)
class Condition:
    text: str
    any_of: tuple[tuple[Clause, ...], ...]       # or of ands

    def holds(self, ctx: Context) -> bool:
        return any(all(c.holds(ctx) for c in group) for group in self.any_of)


def _value(text: str, name: str, op: str):
    t = text.strip()
    if len(t) >= 2 and t[0] == t[-1] and t[0] in "'\"":
        word = t[1:-1]
    else:
        try:
            return float(t)
        except ValueError:
            if not re.fullmatch(r"[A-Za-z_][\w\-]*", t):
                raise ConditionError(f"{t!r} is neither a number nor a word (quote words with spaces)") from None
            word = t
            if word in VALUES:               # t == T: compared with that live value (not the word "T")
                if VALUES[word].indexed:
                    raise ConditionError(f"{name} {op} {word}: {word} takes a step; compare with a number "
                                         "or a value without one")
                return Ref(word)
    if op not in ("==", "!="):
        raise ConditionError(f"{name} {op} {word}: words compare with == or != only")
    return word


def parse_condition(text: str) -> Condition:
    """ConditionError saying which clause is wrong and why."""
    if not isinstance(text, str) or not text.strip():
        raise ConditionError("the condition is empty")
    groups = []
    for alt in re.split(r"\s+or\s+", text.strip()):
        clauses = []
        for part in re.split(r"\s+and\s+", alt):
            m = CLAUSE.match(part)
            if not m:
                raise ConditionError(f"{part.strip()!r} is not NAME OP VALUE (e.g. t == 4, verdict == exploding)")
            name, index, op, value = m.groups()
            if name not in VALUES:
                raise ConditionError(f"{part.strip()!r}: no live value is called {name}")
            if index is not None and not VALUES[name].indexed:
                raise ConditionError(f"{part.strip()!r}: {name} takes no step")
            if index is not None and parse_index(index) is None:
                raise ConditionError(f"{part.strip()!r}: {index!r} is not a step")
            clauses.append(Clause(name, index, op, _value(value, name, op)))
        groups.append(tuple(clauses))
    return Condition(text.strip(), tuple(groups))
