"""The event index: which open event an article belongs to, or that it starts one.

An article is matched in two steps, after Event Registry (Leban et al. 2014) and Miranda et al. 2018:

1. **Near-duplicate**: its word shingles' MinHash finds (through LSH) a held story it copies — a wire story run
   again, syndicated text. It joins that story's event; ``duplicate_of`` names the story.
2. **Same event**: otherwise its TF-IDF vector is compared with the centroids of the open events that share
   one of its heaviest terms or names (an inverted index, so the cost does not grow with the events held).
   The score is the cosine of text, with the overlap of named actors and places, times a Gaussian of the
   time since the event's latest article (the cosine may be scaled by how loosely the event's own articles hold
   together: ``cohesion_exponent``); countries the two state and finding families they report push it
   up when shared and down when they disagree. The best event at or above ``threshold`` wins; else the
   article starts an event.

Only events seen within ``window_hours`` of the article are candidates. :meth:`EventIndex.close_before` forgets
events whose latest article is older than a given time, with everything held for them, so memory follows the
open events and not the history.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from monitor.events.duplicates import DuplicateIndex
from monitor.events.features import HEAD_CHARS, content, entities_in_runs, shingles, tokens
from monitor.events.names import Run, capitalised_runs
from monitor.events.places import Place, places_in, places_in_runs
from monitor.events.similarity import agreement, name_overlap
from monitor.events.tfidf import DocumentFrequencies, Vector, cosine, top_terms
from monitor.model import stable_id

__all__ = ["Assignment", "EventIndex", "Story"]

# an event's names compared with a story's: its most frequent, so a long event is not diluted by its tail
_TOP_NAMES = 30
# what a shared name weighs among a story's terms when choosing candidate events (a term weighs its TF-IDF weight)
_NAME_VOTE = 0.1
# a body shorter than this is compared for copying together with its title
_MIN_BODY_WORDS = 25


@dataclass(frozen=True)
class Story:
    """What the engine needs to know of one article."""

    article_id: str
    published: datetime  # timezone-aware UTC; the article's published time, else when it was fetched
    title: str
    text: str
    # the article's finding kinds, e.g. {"casualties:killed", "deployments:deploy", "escalation:threat"}
    kinds: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Assignment:
    """The index's decision for one story."""

    event_id: str  # stable: stable_id("event", id of the article that started it)
    new: bool  # this article started the event
    duplicate_of: str | None  # article id this one is a near-duplicate of, else None
    similarity: float  # score of the match that decided (1.0 for a new event)
    # where the article says it happened (``places``); None until asked for a copy, read then from ``_head``
    _places: tuple[Place, ...] | None
    _head: str = field(default="", repr=False, compare=False)

    @property
    def places(self) -> tuple[Place, ...]:
        """Where the article says it happened, most mentioned first. A copy's are read only when asked: its
        event, started by the story it copies, mostly knows its places already."""
        places = self._places
        if places is None:
            places = places_in(self._head)
            object.__setattr__(self, "_places", places)
        return places


@dataclass(slots=True)
class _Read:
    """What is read of every story, a copy or not: the head of its text, its words, its MinHash signature."""

    head: str
    title: list[str]
    body: list[str]
    signature: np.ndarray | None


@dataclass(slots=True)
class _Features:
    signature: np.ndarray | None
    vector: Vector
    names: frozenset[str]
    countries: frozenset[str]
    families: frozenset[str]
    terms: frozenset[str]
    places: tuple[Place, ...]


@dataclass(slots=True)
class _Event:
    id: str
    first: float
    last: float
    stories: list[str] = field(default_factory=list)
    centroid: Vector = field(default_factory=dict)
    norm: float = 0.0
    summed: int = 0  # articles summed in the centroid (copies are not)
    names: Counter[str] = field(default_factory=Counter)
    countries: Counter[str] = field(default_factory=Counter)
    families: Counter[str] = field(default_factory=Counter)
    top_names: frozenset[str] = frozenset()
    indexed: list[str] = field(default_factory=list)


class EventIndex:
    """Open events and the stories in them, in memory; one per process, fed in order of arrival.

    ``window_hours``: only events whose latest article is this close in time are candidates.
    ``threshold``: the score an article needs to join an event. ``duplicate_threshold``: the estimated Jaccard
    similarity of shingles that makes a near-duplicate. ``time_sigma_hours``: the Gaussian's width on the time
    since an event's latest article (Miranda et al. use about three days). ``text_weight``: the share of text
    cosine against name overlap in the score. ``cohesion_exponent``: the text cosine is divided by the event's
    cohesion raised to this power, where cohesion is the mean cosine of the event's own articles with its centroid
    (the centroid's norm over the articles summed in it: 1 for one article, lower as an event's articles share
    fewer words). A broad event then takes an article that is as close to it as its own articles are, instead
    of losing it to a one-article event whose centroid is sharper; 0 (the default) leaves the cosine as Event
    Registry uses it. ``max_event_hours``: an event this old takes no more articles (its
    follow-ups start a new one), so a story told every day for months cannot hold memory for ever (Event Registry
    lets a cluster live four days); None lifts the limit.
    """

    def __init__(
        self,
        *,
        window_hours: float = 96.0,
        threshold: float = 0.3,
        duplicate_threshold: float = 0.7,
        time_sigma_hours: float = 72.0,
        text_weight: float = 0.7,
        cohesion_exponent: float = 0.0,
        place_weight: float = 0.05,
        kind_weight: float = 0.05,
        vector_terms: int = 30,
        centroid_terms: int = 120,
        query_terms: int = 10,
        candidates: int = 15,
        max_postings: int = 1000,
        half_life: int = 20_000,
        max_event_hours: float | None = 168.0,
    ) -> None:
        if window_hours <= 0:
            raise ValueError(f"window_hours must be positive, not {window_hours}")
        if not 0.0 < threshold <= 1.0 or not 0.0 < duplicate_threshold <= 1.0:
            raise ValueError(f"thresholds must be in (0, 1]: {threshold}, {duplicate_threshold}")
        if cohesion_exponent < 0:
            raise ValueError(f"cohesion_exponent must not be negative, not {cohesion_exponent}")
        self.window = window_hours * 3600.0
        self.max_span = None if max_event_hours is None else max_event_hours * 3600.0
        self.threshold = threshold
        self.sigma = time_sigma_hours * 3600.0
        self.text_weight = text_weight
        self.cohesion_exponent = cohesion_exponent
        self.place_weight = place_weight
        self.kind_weight = kind_weight
        self.vector_terms = vector_terms
        self.centroid_terms = centroid_terms
        self.query_terms = query_terms
        self.candidates = candidates
        self.max_postings = max_postings
        self._duplicates = DuplicateIndex(threshold=duplicate_threshold)
        self._df = DocumentFrequencies(half_life=half_life)
        self._events: dict[str, _Event] = {}
        self._story_event: dict[str, str] = {}
        self._postings: dict[str, str | set[str]] = {}

    # -- the API ---------------------------------------------------------------------------------------------

    def assign(self, story: Story) -> Assignment:
        """Decide which event ``story`` belongs to, and remember it there.

        A story already held (the same article processed again) gets its event back, not a second one.
        """
        when = _seconds(story.published)
        held = self._story_event.get(story.article_id)
        if held is not None:
            return Assignment(held, False, None, 1.0, None, _full_text(story)[:HEAD_CHARS])
        # what a copy needs (its signature; the places it names only if asked); the rest only when it is not one
        read = self._read(story)
        signature = read.signature
        for article_id, similarity in self._duplicates.nearest(signature):
            event = self._events[self._story_event[article_id]]
            if self._in_window(event, when):
                self._hold(story, event, when)
                self._duplicates.add(story.article_id, signature)
                return Assignment(event.id, False, article_id, similarity, None, read.head)
        runs = capitalised_runs(read.head)
        features = self._features(story, read, runs, places_in_runs(runs))
        best, score = self._best_event(features, when)
        if best is not None and score >= self.threshold:
            self._remember(story, features, best, when)
            self._duplicates.add(story.article_id, signature)
            return Assignment(best.id, False, None, score, features.places)
        event = self._start(stable_id("event", story.article_id), when)
        self._remember(story, features, event, when)
        self._duplicates.add(story.article_id, signature)
        return Assignment(event.id, True, None, 1.0, features.places)

    def add(self, story: Story, event_id: str, *, copy: bool = False) -> None:
        """Put ``story`` back in event ``event_id`` without deciding (restoring the open events after a restart);
        ``copy`` when it was a near-duplicate of another story (only held: see :meth:`_remember`)."""
        if story.article_id in self._story_event:
            return
        when = _seconds(story.published)
        event = self._events.get(event_id) or self._start(event_id, when)
        read = self._read(story)
        if copy:
            self._hold(story, event, when)
        else:
            runs = capitalised_runs(read.head)
            self._remember(story, self._features(story, read, runs, places_in_runs(runs)), event, when)
        self._duplicates.add(story.article_id, read.signature)

    def close_before(self, when: datetime) -> list[str]:
        """Forget every event whose latest article is older than ``when``; return their ids."""
        cutoff = _seconds(when)
        closed = [event for event in self._events.values() if event.last < cutoff]
        for event in closed:
            del self._events[event.id]
            for article_id in event.stories:
                self._story_event.pop(article_id, None)
                self._duplicates.remove(article_id)
            for key in event.indexed:
                posting = self._postings.get(key)
                if posting == event.id:
                    del self._postings[key]
                elif isinstance(posting, set):
                    posting.discard(event.id)
                    if len(posting) == 1:
                        self._postings[key] = posting.pop()
        return [event.id for event in closed]

    def __len__(self) -> int:
        """Open stories held."""
        return len(self._story_event)

    @property
    def events(self) -> int:
        """Open events held."""
        return len(self._events)

    def sizes(self) -> dict[str, int]:
        """What the index holds, for metrics and for checking that closing frees it: open stories and events,
        duplicate signatures, inverted-index keys, and terms with a document frequency."""
        return {
            "stories": len(self._story_event),
            "events": len(self._events),
            "signatures": len(self._duplicates),
            "postings": len(self._postings),
            "terms": len(self._df.counts),
        }

    def event_of(self, article_id: str) -> str | None:
        """The open event holding ``article_id``, if any."""
        return self._story_event.get(article_id)

    # -- matching --------------------------------------------------------------------------------------------

    def _read(self, story: Story) -> _Read:
        title = tokens(story.title)
        body = tokens(story.text)
        # what a copy keeps is the body (outlets rewrite headlines); a short body is compared with its title
        copied = body if len(body) >= _MIN_BODY_WORDS else title + body
        return _Read(_full_text(story)[:HEAD_CHARS], title, body, self._duplicates.signature(shingles(copied)))

    def _features(self, story: Story, read: _Read, runs: list[Run], places: tuple[Place, ...]) -> _Features:
        # the title counts twice: it names the event in the fewest words
        terms = content(read.title) + content(read.title + read.body)
        names = entities_in_runs(runs)
        return _Features(
            signature=read.signature,
            vector=self._df.vector(terms, keep=self.vector_terms),
            names=frozenset(names),
            countries=frozenset(p.country_code for p in places),
            families=frozenset(kind.split(":", 1)[0] for kind in story.kinds),
            terms=frozenset(terms),
            places=places,
        )

    def _best_event(self, features: _Features, when: float) -> tuple[_Event | None, float]:
        # candidates: the events sharing the story's heaviest terms and its names, by the weight they share
        votes: dict[str, float] = {}
        keys = [(term, features.vector[term]) for term in top_terms(features.vector, self.query_terms)]
        keys += [(f"@{name}", _NAME_VOTE) for name in features.names]
        for key, weight in keys:
            posting = self._postings.get(key)
            if isinstance(posting, str):
                votes[posting] = votes.get(posting, 0.0) + weight
            elif posting is not None and len(posting) <= self.max_postings:
                for event_id in posting:
                    votes[event_id] = votes.get(event_id, 0.0) + weight
        if len(votes) > self.candidates:
            chosen = heapq.nlargest(self.candidates, votes, key=votes.__getitem__)
        else:
            chosen = list(votes)
        best: _Event | None = None
        best_score = 0.0
        for event_id in chosen:
            event = self._events[event_id]
            if not self._in_window(event, when):
                continue
            score = self._score(features, event, when)
            if score > best_score:
                best, best_score = event, score
        return best, best_score

    def _score(self, features: _Features, event: _Event, when: float) -> float:
        text = cosine(features.vector, event.centroid, event.norm)
        if self.cohesion_exponent and event.summed:
            # cohesion = |sum of the articles' unit vectors| / articles = their mean cosine with the centroid
            cohesion = min(1.0, event.norm / event.summed)
            text = min(1.0, text / cohesion**self.cohesion_exponent)
        names = name_overlap(features.names, event.top_names or event.names.keys())
        dt = when - event.last if when > event.last else 0.0
        decay = math.exp(-(dt * dt) / (2.0 * self.sigma * self.sigma))
        score = decay * (self.text_weight * text + (1.0 - self.text_weight) * names)
        score += self.place_weight * agreement(features.countries, event.countries)
        score += self.kind_weight * agreement(features.families, event.families)
        return max(0.0, min(1.0, score))

    def _in_window(self, event: _Event, when: float) -> bool:
        if self.max_span is not None and when - event.first > self.max_span:
            return False
        return event.first - self.window <= when <= event.last + self.window

    # -- remembering -----------------------------------------------------------------------------------------

    def _start(self, event_id: str, when: float) -> _Event:
        event = _Event(event_id, when, when)
        self._events[event_id] = event
        return event

    def _hold(self, story: Story, event: _Event, when: float) -> None:
        """``story`` is one of ``event``'s articles, and keeps it open."""
        self._story_event[story.article_id] = event.id
        event.stories.append(story.article_id)
        event.first = min(event.first, when)
        event.last = max(event.last, when)

    def _remember(self, story: Story, features: _Features, event: _Event, when: float) -> None:
        """Hold ``story`` in ``event`` and add what it says to what the event is about. A copy (a near-duplicate)
        is only held (:meth:`_hold`): it belongs to the event and keeps it open, but adds nothing to what the event
        is about, so ten wire copies of a report do not outweigh the rewrite in the event's centroid, nor lower the
        weight of the report's own words in the document frequencies; nor is the rest of what it says read."""
        self._hold(story, event, when)
        self._df.add(features.terms)
        for term, weight in features.vector.items():
            event.centroid[term] = event.centroid.get(term, 0.0) + weight
        if len(event.centroid) > 2 * self.centroid_terms:
            event.centroid = dict(sorted(event.centroid.items(), key=lambda kv: -kv[1])[: self.centroid_terms])
        event.norm = math.sqrt(sum(w * w for w in event.centroid.values()))
        event.summed += 1
        event.names.update(features.names)
        if len(event.names) > _TOP_NAMES:
            event.top_names = frozenset(name for name, _ in event.names.most_common(_TOP_NAMES))
        event.countries.update(features.countries)
        event.families.update(features.families)
        keys = top_terms(features.vector, self.query_terms) + [f"@{name}" for name in features.names]
        postings = self._postings
        for key in keys:
            # a posting is the one event id it mostly holds, a set only when several events share the key
            posting = postings.get(key)
            if posting is None:
                postings[key] = event.id
            elif isinstance(posting, str):
                if posting == event.id:
                    continue
                postings[key] = {posting, event.id}
            elif event.id not in posting:
                posting.add(event.id)
            else:
                continue
            event.indexed.append(key)


def _full_text(story: Story) -> str:
    if story.text.startswith(story.title):
        return story.text
    return f"{story.title}.\n{story.text}" if story.title else story.text


def _seconds(when: datetime) -> float:
    if when.tzinfo is None:
        raise ValueError(f"published time must be timezone-aware (UTC), not {when.isoformat()}")
    return when.timestamp()
