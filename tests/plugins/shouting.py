"""A loose-file plugin, loaded from a plugin directory exactly as users load theirs."""

from monitor import Article, DetectorOptions, Evidence, Finding, hookimpl


class ShoutingDetector:
    name = "shouting"
    version = "0.1"
    options_model = DetectorOptions

    def __init__(self, options):
        self.options = options

    def detect(self, article: Article):
        start = article.text.find("BREAKING")
        if start >= 0:
            yield Finding(
                detector=self.name, severity="info", score=0.2, summary="Shouted headline",
                evidence=[Evidence.at(article.text, start, start + 8)],
            )


@hookimpl
def monitor_register_detectors(register):
    register(ShoutingDetector)
