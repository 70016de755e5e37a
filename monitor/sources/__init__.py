"""Sources produce articles. Built-in ones register through ``monitor_register_sources``."""
