"""Prometheus metrics of one daemon (prometheus-client), in a registry of their own."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.polls = Counter("monitor_source_polls", "Source polls by outcome", ["source", "outcome"], registry=r)
        self.documents = Counter("monitor_documents", "Documents by outcome", ["source", "outcome"], registry=r)
        self.findings = Counter("monitor_findings", "Findings by detector", ["detector"], registry=r)
        self.alerts = Counter("monitor_alerts", "New alerts by route", ["route"], registry=r)
        self.deliveries = Counter("monitor_deliveries", "Delivery attempts by outcome", ["sink", "outcome"],
                                  registry=r)
        self.plugin_errors = Gauge("monitor_plugin_errors", "Exceptions raised by plugins", ["plugin"], registry=r)
        self.queue_depth = Gauge("monitor_queue_depth", "Items waiting per queue", ["queue"], registry=r)
        self.stage_seconds = Histogram("monitor_stage_seconds", "Time per pipeline stage", ["stage"], registry=r,
                                       buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
        self.replicas = Gauge("monitor_replicas_alive", "Replicas with a recent worker heartbeat", registry=r)
        self.oldest_job = Gauge("monitor_oldest_job_age_seconds", "Age of the oldest waiting job per queue",
                                ["queue"], registry=r)
        self.up = Gauge("monitor_up", "1 while the main loop is healthy", registry=r)


METRICS = Metrics()
