"""A synthetic day of wire news with known events, for the events replay (tests/test_events.py, bench/replay.py).

Deterministic: the same call gives the same items. Four events on one day — a market bombing and a flood in
the same city (Kabul), a troop deployment, a hotel attack — told by three independent sources (``wire``,
``herald``, ``daily``) and copied by ``syndicators`` aggregators, with exact copies, near-copies (a byline and a
footer added), rewrites (the same facts in other words), rising tolls, a new kind of figure, a lower-credibility
source stating a different toll, and news that is no event at all.

:data:`EXPECTED` is the number of alerts each event should raise on a route with ``group = "event"`` and the
defaults (``update_step = 0.1``, ``update_min = 1``, ``confirm_sources = 2``), with ``credibility = 2`` for
``wire`` and 1 for the others; each item's ``expect`` says why it should or should not alert.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

DAY = datetime(2026, 11, 29, tzinfo=UTC)
SOURCES = ("wire", "herald", "daily")
CREDIBILITY = {"wire": 2.0}


@dataclass(frozen=True)
class Item:
    slug: str
    source: str
    published: datetime
    title: str
    text: str
    #: The real event it reports ("" for news that is no event).
    event: str
    #: What the alerting should do with it: "first", "update: …", or "none: …".
    expect: str


# -- the stories (each long enough for a copy with a byline and footer to stay a near-duplicate) ---------------

BOMBING = (
    "A suicide bomber killed 50 people at a crowded market in central Kabul on Sunday morning, police said. "
    "The attacker walked into the vegetable section of the Mandawi market shortly after nine and detonated a "
    "vest packed with explosives among shoppers and traders, according to the interior ministry. No group has "
    "claimed responsibility for the bombing, the deadliest in the Afghan capital this year. Witnesses described "
    "stalls torn apart and smoke rising over the old city as ambulances and private cars ferried victims to "
    "the Emergency hospital and to Wazir Akbar Khan hospital. The ministry spokesman said investigators were "
    "examining footage from cameras around the market and that several suspects had been questioned.")
BOMBING_REWRITE = (
    "Fifty people died when an attacker blew himself up in Kabul's Mandawi market on Sunday, Afghan officials "
    "told the Herald. The interior ministry said the explosion struck traders at the busiest hour of the "
    "morning. Relatives gathered outside the Emergency hospital waiting for news, and the health ministry "
    "appealed for blood donors. The blast in the capital's old city was the worst there this year; no one has "
    "claimed it. Officials said 50 killed was the confirmed figure so far.")
BOMBING_RISE = (
    "The death toll from Sunday's suicide bombing at the Mandawi market in Kabul has risen to 56, the health "
    "ministry said in the afternoon, and 80 people were injured. Several of the wounded died in hospital "
    "overnight, a ministry spokesman said, and doctors at the Emergency hospital said many others remained in "
    "critical condition. Traders began clearing the debris of stalls as police kept the area sealed. The "
    "interior ministry repeated that investigators had questioned several suspects and were examining camera "
    "footage from the streets around the market.")
BOMBING_HERALD_TOLL = (
    "Fifty-seven people were killed in the Mandawi market attack in Kabul, a hospital official told the Herald "
    "on Sunday evening, a figure higher than the one the health ministry gave. Families were still searching "
    "the city's hospitals for relatives after the suicide bombing in the old city market.")
BOMBING_MISSING = (
    "Three market traders are still missing after the Kabul market bombing, their families told the Daily on "
    "Sunday night, as the health ministry kept the death toll at 56. Relatives said they had checked every "
    "hospital in the city. The suicide attack on the Mandawi market was the deadliest in Kabul this year.")

FLOOD = (
    "Flash floods swept through the western districts of Kabul on Sunday afternoon, killing 12 people and "
    "washing away dozens of mud-brick homes, the disaster management ministry said. Torrents of water and mud "
    "poured down from the hills above Qargha after two hours of heavy rain, filling the narrow lanes of the "
    "Paghman road and sweeping away cars. Rescue teams with boats searched flooded courtyards into the evening, "
    "and the ministry said more rain was forecast for the province.")
FLOOD_REWRITE = (
    "Twelve people died in flash flooding in the west of Kabul on Sunday, disaster officials said, after "
    "heavy rain sent water and mud through homes near the Qargha reservoir. Rescuers with boats pulled "
    "residents from flooded houses along the Paghman road, and the ministry warned that more rain was on the "
    "way.")
FLOOD_RISE = (
    "Rescuers recovered more bodies from the mud on Sunday night and the death toll from the flash floods in "
    "western Kabul rose to 20, the disaster management ministry said. Hundreds of families from the flooded "
    "districts near Qargha and along the Paghman road spent the night in mosques and schools.")

DEPLOY = (
    "The United States will deploy troops to Poland to reinforce NATO's eastern flank, the Pentagon said on "
    "Sunday, after weeks of talks with the government in Warsaw. Officials did not say how many soldiers would "
    "go or when they would arrive, and said the reinforcement was defensive. Poland's defence minister welcomed "
    "the decision and said the troops would be based near Rzeszow, close to the border.")
DEPLOY_SIZE = (
    "The Pentagon said 3,000 troops will deploy to Poland in the coming weeks, giving the size of the "
    "reinforcement of NATO's eastern flank it announced on Sunday. The soldiers, from the 82nd Airborne "
    "Division, will be based near Rzeszow, Poland's defence ministry said.")
DEPLOY_AGAIN = (
    "Poland's defence minister said on Sunday evening that the 3,000 American troops the Pentagon is sending "
    "will deploy to bases near Rzeszow, and thanked Washington for the reinforcement of NATO's eastern flank.")

HOTEL = (
    "Gunmen stormed a hotel near the presidential palace in Mogadishu on Sunday evening and killed 9 people, "
    "police said, and 4 guests are missing. Security forces surrounded the building and exchanged fire with "
    "the attackers, who were still holding out inside late into the night, a police officer told reporters. "
    "The hotel is popular with government officials and members of parliament. Al-Shabaab said in a statement "
    "on its radio station that its fighters carried out the attack.")
HOTEL_REWRITE = (
    "Nine people were killed when militants attacked a Mogadishu hotel used by officials on Sunday, Somali "
    "police told the Herald, and four guests are missing. The siege near the presidential palace went on into "
    "the night; al-Shabaab claimed the attack on its radio station.")

NOISE = (
    ("markets", "Stocks closed higher on Sunday in thin trading as investors waited for the central bank's "
                "decision on interest rates next week. Technology shares led the gains, while energy companies "
                "slipped as oil prices eased for a third day."),
    ("football", "The home side came from behind to win 3-2 in the last minute of the derby on Sunday, lifting "
                 "them to second place in the league. Their coach praised the young striker who scored twice."),
)


def _copy(text: str, source: str, n: int) -> str:
    """A syndicated copy: the story word for word, with the copier's byline and footer."""
    return f"({source.upper()}) {text} Distributed by {source.capitalize()} News Service, item {n}."


def wire(syndicators: int = 2) -> list[Item]:
    """The day's items in publication order. ``syndicators`` aggregators each carry a near-copy of every first
    report (sources ``agg1`` …)."""
    at = lambda h, m=0: DAY + timedelta(hours=h, minutes=m)  # noqa: E731
    items = [
        Item("bomb-1", "wire", at(6), "Suicide bomber kills 50 at Kabul market", BOMBING, "kabul-bombing",
             "first"),
        Item("bomb-copy-daily", "daily", at(6, 20), "Suicide bomber kills 50 at Kabul market",
             _copy(BOMBING, "daily", 1), "kabul-bombing", "none: a near-copy of bomb-1"),
        Item("bomb-exact-herald", "herald", at(6, 40), "Kabul market bombing", BOMBING, "kabul-bombing",
             "none: the same text as bomb-1 under its own headline (a copy)"),
        Item("bomb-2", "herald", at(7), "Fifty die in Kabul market suicide attack", BOMBING_REWRITE,
             "kabul-bombing", "update: a second independent source (herald)"),
        Item("deploy-1", "wire", at(8), "US to send troops to Poland", DEPLOY, "poland-deployment", "first"),
        Item("bomb-3", "wire", at(9), "Kabul bombing toll rises to 56", BOMBING_RISE, "kabul-bombing",
             "update: killed 50 -> 56 and a new figure, 80 injured"),
        Item("bomb-3-copy", "daily", at(9, 20), "Kabul bombing toll rises to 56", _copy(BOMBING_RISE, "daily", 2),
             "kabul-bombing", "none: a near-copy of bomb-3"),
        Item("flood-1", "herald", at(10), "Flash floods kill 12 in Kabul", FLOOD, "kabul-flood", "first"),
        Item("flood-2", "daily", at(10, 30), "Twelve dead in Kabul floods", FLOOD_REWRITE, "kabul-flood",
             "update: a second independent source (daily)"),
        Item("bomb-4", "herald", at(11), "Hospital puts Kabul bombing toll at 57", BOMBING_HERALD_TOLL,
             "kabul-bombing", "none: 57 from herald (credibility 1) does not replace 56 from wire (2)"),
        Item("deploy-2", "daily", at(12), "3,000 US troops to deploy to Poland", DEPLOY_SIZE,
             "poland-deployment", "update: the deployment's size (3,000) and a second source"),
        Item("bomb-5", "daily", at(13), "Three traders missing after Kabul bombing", BOMBING_MISSING,
             "kabul-bombing", "update: a new figure, 3 missing"),
        Item("hotel-1", "wire", at(14), "Gunmen kill 9 at Mogadishu hotel", HOTEL, "mogadishu-hotel", "first"),
        Item("hotel-copy", "daily", at(14, 10), "Gunmen kill 9 at Mogadishu hotel", _copy(HOTEL, "daily", 3),
             "mogadishu-hotel", "none: a near-copy of hotel-1"),
        Item("flood-3", "herald", at(15), "Kabul flood toll rises to 20", FLOOD_RISE, "kabul-flood",
             "update: killed 12 -> 20"),
        Item("deploy-3", "herald", at(16), "Poland welcomes 3,000 US troops", DEPLOY_AGAIN, "poland-deployment",
             "none: the same figure again, sources already confirmed"),
        Item("hotel-2", "herald", at(18), "Nine killed in Mogadishu hotel siege", HOTEL_REWRITE, "mogadishu-hotel",
             "update: a second independent source (herald)"),
    ]
    for slug, text in NOISE:
        items.append(Item(slug, "daily", at(17), slug.capitalize(), text, "", "none: no finding, no event"))
    firsts = [i for i in items if i.expect == "first"]
    for k in range(1, syndicators + 1):
        for n, item in enumerate(firsts):
            items.append(Item(f"{item.slug}-agg{k}", f"agg{k}", item.published + timedelta(minutes=5 * k),
                              item.title, _copy(item.text, f"agg{k}", n), item.event,
                              f"none: a near-copy of {item.slug}"))
    return sorted(items, key=lambda i: (i.published, i.slug))


#: Alerts per event on the event route (the first, then one per material change), as the items' ``expect`` say.
EXPECTED = {"kabul-bombing": 4, "kabul-flood": 3, "poland-deployment": 2, "mogadishu-hotel": 2}


def is_copy(item: Item) -> bool:
    return item.expect.startswith(("none: a near-copy", "none: the same text"))


def batches(items: list[Item]) -> list[list[Item]]:
    """The items in publication order, cut into batches a daemon run may process side by side, in any order:
    two items of one event share a batch only when both are copies of an item of an earlier batch (the order
    that matters is between batches)."""
    out: list[list[Item]] = []
    for item in items:
        same = [i for i in out[-1] if i.event == item.event] if out and item.event else []
        if not out or (same and not (is_copy(item) and all(is_copy(i) for i in same))):
            out.append([])
        out[-1].append(item)
    return out
