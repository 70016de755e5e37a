"""The events engine as a specification: copies, rewrites, neighbours in one city, the window, memory, places,
and the BCubed scorer the quality figures rest on."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.events import Assignment, EventIndex, Place, Story, places_in
from monitor.events.bcubed import bcubed
from monitor.events.tfidf import DocumentFrequencies
from monitor.model import stable_id
from tests.eval.clusters import uci_news
from tests.synthwire import wire

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)

STRIKE = (
    "Russian missiles hit Kharkiv, killing seven",
    "KHARKIV, Ukraine — Russian missiles struck a nine-storey apartment block in Kharkiv early on Monday, killing "
    "seven people and wounding at least 20, regional governor Oleh Syniehubov said. Rescue workers were still "
    "searching the rubble of the Saltivskyi district building after sunrise, and two children were among the "
    "wounded taken to hospital. Mayor Ihor Terekhov said the city had been hit by four missiles in the night, "
    "and that power was cut to several neighbourhoods. Ukraine's air force said it shot down eleven of the "
    "drones launched overnight but could not stop the ballistic missiles.",
)
# the wire text run again by another outlet: new headline, its own byline line, the rest as sent
STRIKE_COPY = (
    "Seven dead as missiles slam into Kharkiv apartments",
    "By Wire Staff. Russian missiles struck a nine-storey apartment block in Kharkiv early on Monday, killing "
    "seven people and wounding at least 20, regional governor Oleh Syniehubov said. Rescue workers were still "
    "searching the rubble of the Saltivskyi district building after sunrise, and two children were among the "
    "wounded taken to hospital. Mayor Ihor Terekhov said the city had been hit by four missiles in the night, "
    "and that power was cut to several neighbourhoods. Ukraine's air force said it shot down eleven of the "
    "drones launched overnight but could not stop the ballistic missiles. Copyright 2026.",
)
# the same happening told anew by another newsroom
STRIKE_REWRITE = (
    "Kharkiv apartment strike: death toll rises to eight",
    "The number of people killed by Monday's Russian missile attack on a Kharkiv apartment block has risen to "
    "eight, governor Oleh Syniehubov said on Tuesday, as rescuers pulled another body from the rubble of the "
    "building in the Saltivskyi district. Twenty-three people were wounded in the strike, which Mayor Ihor "
    "Terekhov called a deliberate attack on sleeping families. Kharkiv, Ukraine's second city, lies about 30 km "
    "from the Russian border and is shelled almost daily.",
)
# another happening in the same city, the same day
FIRE = (
    "Fire guts Kharkiv market, no casualties",
    "A fire broke out at the Barabashovo market in Kharkiv on Monday afternoon and destroyed dozens of clothing "
    "stalls, the State Emergency Service said. More than 60 firefighters brought the blaze under control after "
    "three hours. Nobody was hurt. Traders said the fire started in a storage container where heaters were "
    "used; investigators are looking at faulty wiring. The market, one of the largest in eastern Europe, will "
    "reopen on Wednesday except for the burnt section.",
)
DEPLOYMENT = (
    "Germany to send 500 troops to Lithuania brigade",
    "Germany will deploy a further 500 soldiers to Lithuania this spring to build up its permanent brigade "
    "there, Defence Minister Boris Pistorius said in Vilnius on Monday. The armoured brigade is to reach full "
    "strength of about 5,000 troops by 2027 and will be based near the Belarusian border at Rudninkai. "
    "Lithuanian President Gitanas Nauseda welcomed the move as a signal to Moscow.",
)


def story(article_id: str, text: tuple[str, str], hours: float = 0.0, kinds: frozenset[str] = frozenset()) -> Story:
    title, body = text
    return Story(article_id, T0 + timedelta(hours=hours), title, body, kinds)


def test_a_first_story_starts_an_event_named_after_it() -> None:
    index = EventIndex()
    first = index.assign(story("a1", STRIKE))
    assert first == Assignment(stable_id("event", "a1"), True, None, 1.0, first.places)
    assert Place("Kharkiv", "UA", "Ukraine") in first.places
    assert len(index) == 1


def test_a_wire_copy_is_a_duplicate_of_the_original() -> None:
    index = EventIndex()
    first = index.assign(story("a1", STRIKE))
    index.assign(story("d1", DEPLOYMENT, 0.5))
    copy = index.assign(story("a2", STRIKE_COPY, 2))
    assert copy.event_id == first.event_id
    assert not copy.new
    assert copy.duplicate_of == "a1"
    assert copy.similarity >= 0.7


def test_a_rewrite_joins_the_event_without_being_a_duplicate() -> None:
    index = EventIndex()
    first = index.assign(story("a1", STRIKE, kinds=frozenset({"casualties:killed"})))
    index.assign(story("d1", DEPLOYMENT, 1, frozenset({"deployments:deploy"})))
    rewrite = index.assign(story("a3", STRIKE_REWRITE, 30, frozenset({"casualties:killed"})))
    assert rewrite.event_id == first.event_id
    assert rewrite.duplicate_of is None
    assert not rewrite.new
    assert index.threshold <= rewrite.similarity < 1.0


def test_another_happening_in_the_same_city_the_same_day_is_its_own_event() -> None:
    index = EventIndex()
    strike = index.assign(story("a1", STRIKE, kinds=frozenset({"casualties:killed"})))
    fire = index.assign(story("f1", FIRE, 6))
    assert fire.new
    assert fire.event_id != strike.event_id
    assert Place("Kharkiv", "UA", "Ukraine") in fire.places
    # and each keeps its own followers
    assert index.assign(story("a3", STRIKE_REWRITE, 30)).event_id == strike.event_id


def test_an_unrelated_story_starts_its_own_event() -> None:
    index = EventIndex()
    index.assign(story("a1", STRIKE))
    deployment = index.assign(story("d1", DEPLOYMENT, 1))
    assert deployment.new
    assert {p.country_code for p in deployment.places} >= {"LT", "DE"}


def test_the_window_is_respected_even_for_a_copy() -> None:
    index = EventIndex(window_hours=72)
    first = index.assign(story("a1", STRIKE))
    inside = index.assign(story("a2", STRIKE_COPY, 71))
    assert inside.event_id == first.event_id
    # 73 hours after the event's latest article: too late, even word for word
    late = index.assign(story("a4", STRIKE_COPY, 71 + 73))
    assert late.new
    assert late.duplicate_of is None
    assert late.event_id != first.event_id


def test_an_event_stops_taking_articles_when_it_is_too_old() -> None:
    # a story retold every two days stays one event for a week, then starts another (memory cannot grow for ever)
    index = EventIndex(window_hours=72, max_event_hours=168)
    events = [
        index.assign(story(f"a{day}", STRIKE_COPY if day % 2 else STRIKE, 24 * day)).event_id for day in range(0, 12, 2)
    ]
    assert events[:4] == [events[0]] * 4  # days 0 to 6
    assert events[4] != events[0]  # day 8
    assert events[5] == events[4]
    # no limit: one event
    unlimited = EventIndex(window_hours=72, max_event_hours=None)
    assert len({unlimited.assign(story(f"a{day}", STRIKE, 24 * day)).event_id for day in range(0, 12, 2)}) == 1


# headlines of one loose story (as an aggregator groups them): each shares a word or two with the others
BROAD_STORY = [
    "Juan Pablo picks Nikki in the Bachelor finale",
    "Bachelor ratings soar as the season ends",
    "Host Chris Harrison defends the Bachelor",
    "Fans react to Bachelor proposal on Instagram",
    "Bachelor villain speaks out after the finale",
]


def headline(article_id: str, title: str, minutes: int) -> Story:
    return Story(article_id, T0 + timedelta(minutes=minutes), title, "")


@pytest.mark.parametrize(("exponent", "joins"), [(0.0, False), (0.75, True)])
def test_a_loose_event_takes_a_headline_as_close_to_it_as_its_own(exponent: float, joins: bool) -> None:
    index = EventIndex(threshold=0.2, text_weight=1.0, cohesion_exponent=exponent)
    for minute, title in enumerate(BROAD_STORY):
        index.add(headline(f"b{minute}", title, minute), "bachelor")
    # its plain cosine with the loose event's centroid (about 0.19) is below the threshold; the event's own
    # headlines are no closer to it (cohesion about 0.52), so scaled by cohesion it joins
    follow = index.assign(headline("n1", "Bachelor host: chubby men need not apply", 30))
    assert (follow.event_id == "bachelor") is joins
    assert follow.new is not joins


def test_cohesion_leaves_a_one_article_event_alone() -> None:
    similarities = []
    for exponent in (0.0, 0.75):
        index = EventIndex(cohesion_exponent=exponent)
        first = index.assign(story("a1", STRIKE))
        rewrite = index.assign(story("a3", STRIKE_REWRITE, 30))
        assert rewrite.event_id == first.event_id
        similarities.append(rewrite.similarity)
    assert similarities[0] == pytest.approx(similarities[1])


@pytest.mark.parametrize("exponent", [0.0, 0.75, 1.0])
def test_cohesion_scaling_keeps_the_synthetic_wire_s_events_apart(exponent: float) -> None:
    # full texts: two events in one city on one day, copies, rewrites, rising tolls, news that is no event
    items = sorted(wire(), key=lambda item: item.published)
    index = EventIndex(cohesion_exponent=exponent)
    predicted = {
        item.slug: index.assign(Story(item.slug, item.published, item.title, item.text)).event_id for item in items
    }
    gold = {item.slug: item.event or item.slug for item in items}
    assert bcubed(predicted, gold).f1 == 1.0


def test_a_negative_cohesion_exponent_is_refused() -> None:
    with pytest.raises(ValueError, match="cohesion_exponent"):
        EventIndex(cohesion_exponent=-0.5)


def test_a_story_assigned_twice_keeps_its_event() -> None:
    index = EventIndex()
    first = index.assign(story("a1", STRIKE))
    again = index.assign(story("a1", STRIKE))
    assert again.event_id == first.event_id
    assert not again.new
    assert len(index) == 1


def test_add_restores_an_event_that_later_stories_join() -> None:
    index = EventIndex()
    index.add(story("a1", STRIKE), "restored-event")
    index.add(story("a1", STRIKE), "restored-event")  # restoring twice holds it once
    assert len(index) == 1
    assert index.assign(story("a2", STRIKE_COPY, 1)).event_id == "restored-event"
    assert index.assign(story("a3", STRIKE_REWRITE, 26)).event_id == "restored-event"


def test_close_before_forgets_old_events_and_bounds_memory() -> None:
    index = EventIndex(window_hours=96)
    texts = [STRIKE, FIRE, DEPLOYMENT]
    held = []
    closed: list[str] = []
    for day in range(12):
        for n, text in enumerate(texts):
            # each day's stories are new events: the same texts, a week apart, are outside the window
            title, body = text
            index.assign(Story(f"{day}-{n}", T0 + timedelta(days=day * 5, hours=n), title, f"Day {day}. {body}"))
        closed += index.close_before(T0 + timedelta(days=day * 5 - 4))
        held.append(len(index))
    assert max(held) <= 2 * len(texts)
    assert index.events <= 2 * len(texts)
    assert len(closed) == len(set(closed)) >= 10 * len(texts)
    assert index.event_of("0-0") is None
    assert index.event_of("11-0") is not None
    # closing everything leaves nothing to match: a copy of the latest story, well inside its window, starts afresh
    index.close_before(T0 + timedelta(days=56))
    assert (len(index), index.events) == (0, 0)
    sizes = index.sizes()
    assert (sizes["signatures"], sizes["postings"]) == (0, 0)
    late = index.assign(Story("x", T0 + timedelta(days=55, hours=3), STRIKE[0], "Day 11. " + STRIKE[1]))
    assert late.new
    assert late.duplicate_of is None


def test_document_frequencies_forget_old_news() -> None:
    frequencies = DocumentFrequencies(half_life=4)
    for n in range(40):
        frequencies.add({"ceasefire", f"word{n}"})
    # every fourth story halves the counts and drops terms seen less than twice: old words go, a steady one stays
    assert set(frequencies.counts) <= {"ceasefire", *(f"word{n}" for n in range(36, 40))}
    assert frequencies.counts["ceasefire"] < 8
    assert frequencies.idf("word0") > frequencies.idf("ceasefire")


def test_close_before_returns_only_events_older_than_the_time() -> None:
    index = EventIndex()
    old = index.assign(story("a1", STRIKE))
    recent = index.assign(story("d1", DEPLOYMENT, 48))
    assert index.close_before(T0 + timedelta(hours=24)) == [old.event_id]
    assert index.event_of("d1") == recent.event_id
    assert index.close_before(T0 + timedelta(hours=24)) == []


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        EventIndex().assign(Story("a1", datetime(2026, 3, 2), *STRIKE))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Shelling in eastern Ukraine killed five near Kharkiv.", [("Ukraine", "UA"), ("Kharkiv", "UA")]),
        ("Protesters gathered in Tbilisi, the capital of Georgia.", [("Tbilisi", "GE"), ("Georgia", "GE")]),
        ("Tornado damage in Birmingham, Alabama.", [("Birmingham", "US"), ("Alabama", "US")]),
        (
            "Storm damage in Birmingham and across the West Midlands of England.",
            [("Birmingham", "GB"), ("England", "GB")],
        ),
        ("The U.S. and the UK condemned the attack.", [("United States", "US"), ("United Kingdom", "GB")]),
        ("A truck drove into a crowd in Nice on Bastille Day.", [("Nice", "FR")]),
        ("Fighting in the Democratic Republic of the Congo spread.", [("Democratic Republic of the Congo", "CD")]),
        ("In Kyiv, sirens sounded for three hours.", [("Kyiv", "UA")]),
    ],
)
def test_places_are_resolved_to_countries(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(p.name, p.country_code) for p in places_in(text)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "It was a nice day; the turkey was roasted and served on china plates.",  # lower case is never a place
        "Reading the report, officials said it was a mobile unit.",  # sentence-opening words
        "Jordan scored 30 points and Chad Johnson caught two passes.",  # given names
        "Paris Hilton and Victoria Beckham attended the gala.",  # a city opening a person's name
        "Warren Buffett praised Florence Pugh at the awards.",
        "MARKETS RALLY AS TURKEY CUTS RATES",  # shouting headlines are not read as names
    ],
)
def test_ordinary_words_and_names_are_not_places(text: str) -> None:
    assert places_in(text) == ()


def test_places_are_ordered_by_mentions() -> None:
    text = "Gaza was shelled. Israel said Gaza fighters fired first; Egypt called for calm. Gaza hospitals overflowed."
    places = places_in(text)
    assert places[0] == Place("Gaza", "PS", "Palestine")
    assert {p.country_code for p in places} == {"PS", "IL", "EG"}


def test_bcubed_on_hand_computed_clusters() -> None:
    gold = {"a": 1, "b": 1, "c": 2}
    # a alone; b and c together. a: P 1, R 1/2; b: P 1/2, R 1/2; c: P 1/2, R 1
    score = bcubed({"a": "x", "b": "y", "c": "y"}, gold)
    assert score.precision == pytest.approx(2 / 3)
    assert score.recall == pytest.approx(2 / 3)
    assert score.f1 == pytest.approx(2 / 3)
    assert score.items == 3


def test_bcubed_extremes() -> None:
    gold = {"a": 1, "b": 1, "c": 2, "d": 2}
    assert bcubed({"a": 5, "b": 5, "c": 6, "d": 6}, gold).f1 == 1.0
    together = bcubed(dict.fromkeys(gold, 0), gold)
    assert (together.precision, together.recall) == (0.5, 1.0)
    apart = bcubed({k: k for k in gold}, gold)
    assert (apart.precision, apart.recall) == (1.0, 0.5)


def test_bcubed_refuses_different_items() -> None:
    with pytest.raises(ValueError, match="missing"):
        bcubed({"a": 1}, {"a": 1, "b": 1})


def test_the_uci_replay_scores_a_csv_it_is_given(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # rows in the set's layout, written here (the set itself is never committed): two stories, a cut-off row
    rows = [
        "ID,TITLE,URL,PUBLISHER,CATEGORY,STORY,HOSTNAME,TIMESTAMP",
        '1,"Central bank raises rates to fight inflation",u,p,b,storyA,h,1394470370698',
        "2,Central bank raises interest rates to fight inflation,u,p,b,storyA,h,1394470371207",
        "3,Volcano erupts on remote island and forces evacuation,u,p,t,storyB,h,1394470372000",
        "4,Island evacuated as volcano erupts,u,p,t,storyB,h,1394470373000",
        "5,Cut-off row,u",
    ]
    source = tmp_path / "uci.csv"
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert uci_news.main([str(source), "--part", "all", "--set", "threshold=0.05", "--set", "text_weight=0.9"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["titles"], report["skipped_rows"], report["gold_stories"]) == (4, 1, 2)
    assert report["params"] == {"threshold": 0.05, "text_weight": 0.9}
    assert report["events"] == 2
    assert report["f1"] == 1.0
    assert report["baseline_f1_each_alone"] == pytest.approx(2 * 0.5 / 1.5, abs=0.001)


def test_the_uci_split_is_by_story_and_frozen() -> None:
    frozen = (Path(uci_news.__file__).parent / "uci_test_stories.txt").read_text().split()
    assert frozen and all(uci_news.part_of(story) == "test" for story in frozen)
    assert {uci_news.part_of(f"story{n}") for n in range(20)} == {"dev", "test"}
