"""From findings to delivered alerts: routes, silences, and the outbox."""
