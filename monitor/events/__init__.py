"""Events: the articles that tell of one real-world happening, grouped.

An **event** is a set of articles, from any sources, about one happening — a strike, a battle, a deployment —
within a few days; it has a stable id (derived from the article that started it), the places its articles name,
and the findings they carry. Wire copies and syndicated reprints of one text belong to the event of the
original and are marked as duplicates of it.

The package has two halves:

- the **engine** (:mod:`monitor.events.cluster`, :mod:`monitor.events.places`, with ``features``, ``tfidf``,
  ``duplicates`` and ``bcubed``): in-memory, no I/O — :class:`EventIndex` takes a :class:`Story` and answers
  with an :class:`Assignment`; :func:`places_in` maps place names in text to countries from a gazetteer shipped
  in a wheel;
- the **integration** (``tracker``, ``figures``): the step the processor calls after findings are stored — it
  builds the story, asks the engine, stores the event, and works out what changed.
"""

from monitor.events.cluster import Assignment, EventIndex, Story
from monitor.events.places import Place, places_in

__all__ = ["Assignment", "EventIndex", "Place", "Story", "places_in"]
