"""What is down now and why (``store``, ``extraction``): read by ``/healthz``, each change logged once."""

from __future__ import annotations

import structlog

log = structlog.get_logger("monitor.health")


class Problems(dict[str, str]):
    """Parts of the daemon that are down, each with its reason; empty when healthy."""

    def report(self, part: str, why: str | None) -> None:
        """``part`` is down because ``why``, or back up (None)."""
        if why is None:
            if self.pop(part, None) is not None:
                log.warning("health.recovered", part=part)
            return
        if part not in self:
            log.error("health.unhealthy", part=part, reason=why)
        self[part] = why
