"""Attribute conditions for routes and silences: ``count = ">= 10"``, ``category = "killed"``."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge, "<=": operator.le, "!=": operator.ne, "==": operator.eq, ">": operator.gt, "<": operator.lt,
}
_COND = re.compile(r"^\s*(>=|<=|!=|==|>|<)?\s*(.*?)\s*$")


def parse_condition(key: str, spec: str | int | float | bool) -> Callable[[Mapping[str, Any]], bool]:
    """A predicate over a finding's attributes. Numbers compare numerically (a vague count uses its
    ``min_count``); anything else compares as text. ValueError names the key for a bad operand."""
    raw: str | int | float | bool
    if isinstance(spec, bool) or not isinstance(spec, str):
        op, raw = operator.eq, spec
    else:
        m = _COND.match(spec)
        assert m is not None
        op = _OPS[m.group(1) or "=="]
        raw = m.group(2)
        if m.group(1) in (">", "<", ">=", "<="):
            try:
                raw = float(raw)
            except ValueError:
                raise ValueError(f"where.{key}: {spec!r} compares with a number, but {raw!r} is not one") from None

    def check(attributes: Mapping[str, Any]) -> bool:
        value = attributes.get(key)
        if value is None and key == "count":
            value = attributes.get("min_count")
        if value is None:
            return False
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            try:
                return bool(op(float(value), float(raw)))
            except (TypeError, ValueError):
                return False
        return bool(op(str(value).lower(), str(raw).lower()))

    return check


def all_of(where: Mapping[str, Any]) -> Callable[[Mapping[str, Any]], bool]:
    checks = [parse_condition(k, v) for k, v in where.items()]
    return lambda attributes: all(c(attributes) for c in checks)
