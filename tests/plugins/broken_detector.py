"""A plugin whose detector always raises: it must not stop the others."""

from monitor import DetectorOptions, hookimpl


class BrokenDetector:
    name = "broken"
    version = "0.0"
    options_model = DetectorOptions

    def __init__(self, options):
        pass

    def detect(self, article):
        raise RuntimeError("boom on purpose")


@hookimpl
def monitor_register_detectors(register):
    register(BrokenDetector)


@hookimpl
def monitor_enrich_article(article):
    raise ValueError("enricher fails on purpose")
