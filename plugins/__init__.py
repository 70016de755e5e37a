"""The built-in detectors. Each uses only the public contract: ``monitor`` (model, hook marker) and
``monitor.text``; each is registered through the ``monitor`` entry-point group like any third-party plugin."""
