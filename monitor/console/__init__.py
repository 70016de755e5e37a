"""The analyst's web console: alerts, one alert with its evidence in place, sources, feedback and silences.

A small ASGI app (:mod:`monitor.console.app`, Starlette and Jinja2 templates with autoescape) over the store,
served in the daemon's event loop or by ``monitor console`` (:mod:`monitor.console.server`). It reads the
store, and writes only two things: the analysts' judgements of findings and silences.
"""
