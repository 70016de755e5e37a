"""The rules that read deployments in one sentence: a movement and a force noun in the same clause, not negated,
threatened or conditional, not police at a protest or casualties taken to hospital; each reading with the
personnel counts attached to it and how the movement is said."""

from __future__ import annotations

import re

from monitor.text import is_negated, lower_same_length

from ..lexicon import PERSON_PLURAL
from .counts import _personnel
from .features import _structure
from .words import (
    _FORCE,
    _FORCE_RE,
    _IRREGULAR,
    _MOVEMENT_RE,
    _PERSONNEL_RE,
    DEPLOY,
    MOBILIZE,
    REMAIN,
    REPOSITION,
    WITHDRAW,
)

#: "military sources", "army chief": an adjectival force word before a noun that is not a force.
_NOT_FORCE_AFTER = re.compile(
    r"\s+(?:sources?|officials?|spokesm[ae]n|spokesperson|statement|court|chief|chiefs|leaders?|junta|regime|"
    r"government|council|hospital|academy|planes?|jets?|aircraft|helicopters?|drones?|exercises?|drills?|parade|"
    r"equipment|hardware|aid|cooperation|ties|analysts?|experts?|intelligence|spending|budget|action|options?|"
    r"operations?|targets?|facilit(?:y|ies)|sites?|installations?|positions?|vehicles?|of (?:the )?police\w*)\b",
    re.IGNORECASE,
)
#: A presence kept or raised without saying it is military: the force must be named before it ("ordered the
#: Navy to increase its presence").
_PRESENCE = re.compile(r"(?<!military )(?<!naval )(?<!troop )presence$", re.IGNORECASE)
#: Ships move by themselves: "two aircraft carriers arrived in the Gulf".
_SHIPS = re.compile(r"carriers?|groups?|submarines|destroyers|frigates|fleets?|flotillas?|warships?", re.IGNORECASE)
#: Movement words that only say "forces moved" when troops or a convoy are the ones moving.
_WEAK = re.compile(r"^(?:entered|arriv\w*|head\w* (?:to|towards?)|en route to|on (?:their|its) way|moved into|"
                   r"rolled into|pushed into|went in(?:to)?|marched into)$", re.IGNORECASE)
#: Not armed forces: police at a protest, scouts, aid and rescue workers, computing.
_NOT_FORCE_BEFORE = re.compile(
    r"\b(?:police|riot|scouts?|girl scout|boy scout|aid|rescue|relief|medical|humanitarian|cleanup|sales|work|"
    r"task)\s*$", re.IGNORECASE)
#: "Heavy artillery" is equipment; "a heavy contingent" is still people.
_HEAVY_EQUIPMENT = re.compile(r"^(?:artillery|tanks|armou?red \w+)$", re.IGNORECASE)
_HEAVY = re.compile(r"\bheavy\s*$", re.IGNORECASE)
_NOT_A_DEPLOYMENT = re.compile(
    r"\b(?:servers?|software|app|update|cloud|funds?|investors?|scouts?|rescue teams?|aid workers|doctors|"
    r"firefighters|ambulances|exercises?|drills?|war games|parade)\b",
    re.IGNORECASE,
)
#: Police at work: the sentence moves no armed force unless one is named beside them (``_ARMED``).
_POLICE_ONLY = re.compile(r"\b(?:water cannon|tear gas|police(?:men)? (?:were|was|have been) deployed)\b",
                          re.IGNORECASE)
_TROOPS = re.compile(r"\b(?:troops|soldiers|army|military)\b", re.IGNORECASE)
#: Armed forces named beside the police ("3,000 personnel of the rapid action force and state police have been
#: deployed"): the sentence may still move armed forces.
_ARMED = re.compile(r"\b(?:troops|soldiers|army|military|paramilitar\w*|rapid action force|reserve police force|"
                    r"crpf|bsf|commandos|marines|navy|national guard|guardsmen|gendarmes)\b", re.IGNORECASE)
#: A movement only threatened, retracted, conditional or forbidden is not a deployment ("a threat to send troops");
#: a threat named as a noun is not one ("declares China a 'threat', boosts troops", "troops to Europe amid Russia
#: threat").
_NOT_REAL = re.compile(r"\b(?:threat(?:s)?\s+(?:to|of)|threat(?:en|ens|ened|ening)|retract\w*|walk(?:ed|s)? back|if|"
                       r"unless|would need|could)\b|"
                       # forbidden: "the constitution prevents its armed forces from being deployed overseas"
                       r"\b(?:prevent(?:s|ed|ing)?|prohibit\w*|forb(?:id|ids|ade|idden)|ban(?:s|ned|ning)?|"
                       r"bar(?:s|red|ring))\b[^.;]*\bfrom\s+(?:being\s+)?$",
                       re.IGNORECASE)
#: Nor one only made possible, in the same stretch of clause: "peace would allow for the eventual withdrawal of US
#: troops", "the accord paves the way for a pullout" (a movement that happened stays: "... and troops withdrew").
_MADE_POSSIBLE = re.compile(r"\b(?:would (?:allow|enable|permit)|pav\w* the way)\b(?:[^,;]|,(?=\d))*$", re.IGNORECASE)
_FINITE_PAST = re.compile(r"\w+ed\b|(?:sent|withdrew|went|began|came|flew|drove|left|rode)\b", re.IGNORECASE)
#: A clause ends at a semicolon, a colon or a full stop inside the sentence, but not at an abbreviation's point: "sent
#: U.S. troops to Syria", "Gen. Odierno ordered troops" are one clause.
_CLAUSE = re.compile(r";|(?<![A-Za-z]\.[A-Za-z])(?<!\b[A-Z])(?<!\bMr)(?<!\bDr)(?<!\bSt)(?<!\bGen)(?<!\bCol)(?<!\bLt)"
                     r"(?<!\bMaj)(?<!\bSgt)(?<!\bCapt)(?<!\bNo)\.\s|:\s")
#: Phrases with a second reading: troops "concentrated" along a border are massed (mobilize) or moved within
#: the theatre (reposition); "confined to barracks" is a raised readiness (mobilize) or forces kept (remain).
_ALSO = [(re.compile(r"(?:\w+ )*?concentrat", re.IGNORECASE), REPOSITION),
         (re.compile(r"confine[^.;]*barracks", re.IGNORECASE), REMAIN)]
_TO_HOSPITAL = re.compile(r"\s+(?:to|into)\s+(?:a |the )?(?:[\w-]+\s+){0,2}?(?:hospitals?|clinic|medical)\b",
                          re.IGNORECASE)
#: Who is evacuated when forces evacuate people: civilians, the wounded, "him" (the people nouns that are no force).
_FIGHTERS = {"combatants", "guerrillas", "guerillas", "militiamen", "separatists", "loyalists", "guards", "crew",
             "sailors", "cadets", "jawans", "cadres", "sfs", "riflemen", "gunmen", "attackers", "assailants", "forces"}
_EVACUATED = re.compile(
    r"\s+(?:(?!(?:troops|soldiers|forces|personnel|marines|units)\b)[\w'-]+\s+){0,3}?"
    r"(?:the (?:injured|wounded|sick|dead)|wounded|injured|him|her|them|hostages|population|inhabitants|"
    + "|".join(sorted(w for w in PERSON_PLURAL if "_" not in w and w not in _FIGHTERS
                      and not _FORCE_RE.fullmatch(w) and not _PERSONNEL_RE.match(w)))
    + r")\b(?!-)", re.IGNORECASE)
#: Irregular fighters that regroup have moved, not attacked.
_REGROUP = re.compile(r"regroup", re.IGNORECASE)


class Rules:
    """The rules of one configuration: the built-in movements and the user's extra "deploy" phrases."""

    def __init__(self, extra: re.Pattern[str] | None) -> None:
        self._extra = extra

    def movements(self, sent: str) -> list[tuple[str, int, int]]:
        out = [(m.lastgroup or DEPLOY, m.start(), m.end()) for m in _MOVEMENT_RE.finditer(lower_same_length(sent))]
        # Phrases the labels read two ways: each reading is proposed and the learned decision weighs them.
        out += [(also, s, e) for movement, s, e in list(out) for pattern, also in _ALSO
                if movement != also and pattern.match(sent, s, e)]
        if self._extra:
            out += [(DEPLOY, m.start(), m.end()) for m in self._extra.finditer(sent)]
        return sorted(out, key=lambda t: t[1])

    def sentence(self, sent: str) -> list[tuple[int | None, str, int, int, dict[str, object], dict[str, float]]]:
        if (_NOT_A_DEPLOYMENT.search(sent) and not _TROOPS.search(sent)) or (
                _POLICE_ONLY.search(sent) and not _ARMED.search(sent)):
            return []
        forces = [
            f for f in _FORCE_RE.finditer(lower_same_length(sent))
            if not _NOT_FORCE_BEFORE.search(sent[max(0, f.start() - 20) : f.start()])
            and not (_HEAVY_EQUIPMENT.match(f.group()) and _HEAVY.search(sent, max(0, f.start() - 8), f.start()))
            and not (not _PERSONNEL_RE.match(f.group()) and _NOT_FORCE_AFTER.match(sent, f.end()))
        ]
        if not forces:
            return []
        out = []
        moves = self.movements(sent)
        for movement, ms, me in moves:
            clause_start, clause_end = _clause_bounds(sent, ms)
            near = [f for f in forces if clause_start <= f.start() < clause_end and abs(f.start() - ms) < 120]
            if not near:
                continue
            if all(_IRREGULAR.match(f.group()) for f in near) and movement not in (MOBILIZE, WITHDRAW) and not (
                movement == REPOSITION and _REGROUP.match(sent, ms, me)
            ):
                continue
            if all(f.group().lower() == "missiles" for f in near) and re.match(r"sen[dt]|dispatch", sent[ms:me], re.I):
                continue  # "will send Patriot missiles to Ukraine": arms delivered, no force moved
            if _WEAK.match(sent[ms:me]) and not (
                any(_PERSONNEL_RE.match(f.group()) or _SHIPS.search(f.group()) for f in near)
                or re.search(r"\bconvoy\b", sent, re.I)
            ):
                continue
            if is_negated(sent, ms, 50) or re.search(r"\b(?:no|not|never|deny|denied|denies)\b[^.;]{0,25}$",
                                                    sent[max(0, ms - 40):ms], re.IGNORECASE):
                continue
            before = sent[max(0, clause_start, ms - 60):ms]
            if _NOT_REAL.search(before) or (_MADE_POSSIBLE.search(before) and not _FINITE_PAST.match(sent, ms)):
                continue
            if _PRESENCE.search(sent, ms, me) and not any(f.start() < ms for f in near):
                continue  # "the bank will maintain a strong presence ... despite the military campaign"
            if movement == REMAIN and not _remain_is_about_forces(sent, ms, me, near):
                continue
            if movement == DEPLOY and _describes_location(sent, ms, me):
                continue
            if movement == WITHDRAW and sent[ms:me].lower().startswith("evacuat") and _EVACUATED.match(sent, me):
                continue  # "troops were called in to evacuate residents": a rescue, the forces do not leave
            if movement == DEPLOY and _TO_HOSPITAL.match(sent, me):
                continue  # "the injured jawans were rushed to a nearby hospital": casualties, not a deployment
            force = min(near, key=lambda f: abs(f.start() - ms))
            others = [m for m in moves if m[1] != ms]
            counts = _personnel(sent, near, clause_start, clause_end, movement, ms, me, others)
            start = min(ms, force.start())
            end = max(me, force.end())
            extra: dict[str, object] = {"unit": force.group().lower()}
            readings: list[int | None] = [*counts] or [None]
            shape = _structure(sent, ms, me, force, clause_start)
            out += [(count, movement, start, end, extra, shape) for count in readings]
        return out

def _clause_bounds(sent: str, pos: int) -> tuple[int, int]:
    start = 0
    for m in _CLAUSE.finditer(sent):
        if m.end() <= pos:
            start = m.end()
        else:
            return start, m.start()
    return start, len(sent)


def _remain_is_about_forces(sent: str, ms: int, me: int, near: list[re.Match[str]]) -> bool:
    """'stay'/'remain' must be said of the forces (before the verb), not of a situation ("remain high");
    'keep' may take them after it ("will keep 2,500 troops in Iraq"). The longer phrases ("an extension of the
    peacekeeping force", "refuses to pull out its troops") say what is kept themselves."""
    word = sent[ms:me].lower()
    if word == "remaining":
        return False  # "the remaining soldiers" names who is left, it does not say they stay
    if word not in _BARE_REMAIN:
        return True
    if word.startswith(("keep", "kept")) and _KEPT_FORCE.match(sent[me:]):
        return True
    return any(f.start() < ms for f in near) or bool(re.match(r"\s+(?:in|on|at|behind|deployed|stationed)", sent[me:]))


#: What 'keep' takes when forces are kept: a force noun within a few words ("will keep 2,500 troops"), not one that
#: only qualifies a place or a thing ("will keep its military base in al-Tanf", "kept military ties").
_KEPT_FORCE = re.compile(
    rf"\s+(?:[\w,]+\s+){{0,4}}?(?:{_FORCE})\b(?!\s+(?:bases?|air ?bases?|airfields?|installations?|"
    r"facilit(?:y|ies)|compounds?|headquarters|academ(?:y|ies)|hospitals?|courts?|budgets?|spending|aid|"
    r"equipment|hardware|ties|cooperation|options?|contracts?)\b)",
    re.IGNORECASE,
)
_BARE_REMAIN = {"remain", "remains", "remained", "stay", "stays", "stayed", "staying", "keep", "keeps", "keeping",
                "kept", "retain", "retains", "retained", "will be retained"}


def _describes_location(sent: str, ms: int, me: int) -> bool:
    """'soldiers stationed in Iraq' says where forces are, not that they moved; so does 'BSF troops deployed on
    duty' or 'a team of SF personnel who were deployed on a helipad' in a report of an attack on them (issue 11:
    attacks on soldiers are no deployments)."""
    word = sent[ms:me].lower()
    before = sent[max(0, ms - 30):ms]
    if word in {"stationed", "based", "positioned"}:
        return re.search(rf"\b(?:{_FORCE})\s+$", before, re.IGNORECASE) is not None
    if word.endswith("posted"):  # "he was posted at the army camp ... when militants targeted him"
        return _ATTACKED.search(sent) is not None
    return (word == "deployed" and _AT.match(sent, me) is not None
            and (_FORCE_BEFORE.search(sent[max(0, ms - 60):ms]) is not None or _WHO_WERE.search(before) is not None)
            and _ATTACKED.search(sent) is not None)


#: A participle's place: "deployed at a checkpost", "deployed on duty", "deployed in the area".
_AT = re.compile(r"\s+(?:at|on|in|along|near|outside|inside|around)\b", re.IGNORECASE)
#: A force noun right before the participle, a unit's name between ("personnel of the 19th battalion deployed").
_FORCE_BEFORE = re.compile(
    rf"\b(?:{_FORCE}|jawans?|men|policemen|personnel)(?:\s+of\s+(?:the\s+)?[\w()-]+(?:\s+[\w()-]+)?)?\s+$",
    re.IGNORECASE)
_WHO_WERE = re.compile(r"\b(?:who|that|which)\s+(?:were|was|had been|have been|are|is)\s+$", re.IGNORECASE)
#: The forces so placed were attacked or fought: the report is of the attack.
_ATTACKED = re.compile(r"\b(?:attack\w*|ambush\w*|fired|firing|opened fire|shot|killed|injured|wounded|martyrdom|"
                       r"snatched|raided|stormed|hurled|lobbed|exchange of fire|gunfight|encounter|targeted|targeting|"
                       r"under fire)\b", re.IGNORECASE)
