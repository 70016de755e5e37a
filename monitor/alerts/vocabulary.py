"""What routes and silences may name: detectors that are registered, and the attributes (and values) those
detectors declare on their findings, with a did-you-mean for near misses.

A detector declares ``attributes = {"category": ("killed", "injured"), "count": None}``: names to their fixed
values, or None for any value. A detector that declares nothing accepts any attribute name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from monitor.config_text import did_you_mean

_OP = re.compile(r"^\s*(>=|<=|!=|==|>|<)?\s*(.*?)\s*$")


def declared_attributes(cls: Any) -> dict[str, tuple[str, ...] | None] | None:
    """A detector class's declared attributes, or None when it declares none."""
    attrs = getattr(cls, "attributes", None)
    return dict(attrs) if isinstance(attrs, Mapping) else None


def vocabulary_problems(detectors: Mapping[str, Any], detector: str | None,
                        conditions: Mapping[str, object], flag: str = "--attr") -> list[str]:
    """Problems with ``detector`` and ``conditions`` (attribute name → condition) against the registered
    ``detectors`` (name → class); empty when everything can match some finding."""
    problems: list[str] = []
    if detector is not None and detector not in detectors:
        problems.append(f"--detector {detector}: no such detector{did_you_mean(detector, detectors)} "
                        f"(registered: {', '.join(sorted(detectors)) or 'none'})")
        return problems
    scope = [detector] if detector else sorted(detectors)
    declared = {name: declared_attributes(detectors[name]) for name in scope}
    if any(d is None for d in declared.values()):
        return problems  # a detector that does not declare its attributes may have any
    names: dict[str, set[str] | None] = {}
    for attrs in declared.values():
        assert attrs is not None
        for key, values in attrs.items():
            if values is None or names.get(key, set()) is None:
                names[key] = None
            else:
                known = names.setdefault(key, set())
                assert known is not None
                known.update(values)
    whose = f"detector {detector} has no attribute" if detector else "no registered detector has an attribute"
    for key, condition in conditions.items():
        if key not in names:
            problems.append(f"{flag} {key}={condition}: {whose} {key!r}{did_you_mean(key, names)} "
                            f"(attributes: {', '.join(sorted(names)) or 'none'})")
            continue
        allowed = names[key]
        if allowed is None or not isinstance(condition, str):
            continue
        m = _OP.match(condition)
        assert m is not None
        op, value = m.group(1) or "==", m.group(2)
        if op in ("<", ">", "<=", ">="):
            problems.append(f"{flag} {key}={condition}: {key} is one of {', '.join(sorted(allowed))}, not a number")
        elif value.lower() not in allowed:
            problems.append(f"{flag} {key}={condition}: {value!r} is not a value of {key}"
                            f"{did_you_mean(value.lower(), allowed)} (values: {', '.join(sorted(allowed))})")
    return problems
