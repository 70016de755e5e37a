"""Sinks deliver alerts. The built-in ones register through ``monitor_register_sinks`` like any plugin."""
