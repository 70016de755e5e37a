"""Escalation language from an actor: threats of force, vows of revenge, ultimatums, declarations of war,
raised military alert, calls to attack and hostile chants.

One finding per sentence, its category the gravest cue found there. Not escalation: calls for
restraint, walked-back threats, negated threats ("will not retaliate"), and non-violent threats —
strikes, lawsuits, boycotts, sanctions, breaking off relations — demands, agreements and military
exercises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from pydantic import Field

from monitor import Article, DetectorOptions, Evidence, Finding, Severity, hookimpl
from monitor.hookspecs import RegisterDetector
from monitor.text import PhraseMatcher, is_negated, split_sentences

THREAT, ULTIMATUM, RETALIATION, WAR, MOBILIZATION, HOSTILE, CALL = (
    "threat", "ultimatum", "retaliation", "war", "mobilization", "hostile_rhetoric", "call_to_attack",
)

#: Goldstein-style intensity: a declaration of war above an ultimatum or threat of force, above a raised
#: alert, above hostile rhetoric. Drives severity and score (README, "Severity").
INTENSITY = {WAR: 1.0, ULTIMATUM: 0.9, THREAT: 0.8, RETALIATION: 0.8, CALL: 0.75, MOBILIZATION: 0.6, HOSTILE: 0.45}

PHRASES: dict[str, str] = {}


def _add(category: str, phrases: str) -> None:
    for p in phrases.strip().split("\n"):
        p = p.strip()
        if p:
            PHRASES[p] = category


_add(THREAT, """
crushing response
crushing responses
crushing and immediate response
harsh response
harsh, deliberate response
decisive response
devastating response
forceful response
resolute response
strong response
severe response
firm response
military response
heavy price
pay dearly
pay a price
pay the price
severe consequences
suffer the consequences
suffering the consequences
grave consequences
dire consequences
serious consequences
will be met with
all necessary measures
all options are on the table
every option is on the table
wipe off the map
wipe them off
wipe out
set fire to
burn down
strike back
hit back
respond forcefully
respond militarily
respond with force
military action
military option
military force
use of force
use force
by force
threat of force
make their coffins
within range of
will not hesitate
no mercy
fire and fury
obliterate
annihilate
raze
threatened to attack
threatened to bomb
threatened to invade
threatened to strike
threatened to destroy
threatened to kill
threatened to shoot down
threatened to launch
threatened military
threatens to attack
threatens to bomb
threatens to invade
threatens to destroy
threatening to attack
threatening to invade
threatening to bomb
vowed to respond
vowed to crush
vowed to destroy
vowed to fight
vowed to punish
vowed to strike
vowed to eliminate
vowed to hunt down
vows to crush
vows to destroy
vows to respond
vow to respond
warned of a response
warned of retaliation
drive foreign forces out
drive them out
fight to the death
fight to the last
punish
""")
_add(RETALIATION, """
take revenge
revenge
avenge
vengeance
retaliate
retaliation
retaliatory
reprisal
reprisals
respond
""")
_add(WAR, """
declare war
declared war
declares war
declaration of war
wage war
wage a war
waging war
act of war
all-out war
full-scale war
state of war
go to war
holy war
warnings of war
threat of war
""")
_add(ULTIMATUM, """
ultimatum
or face
hours to
days to
deadline to
""")
_add(MOBILIZATION, """
high alert
highest state of alert
state of alert
heightened alert
maximum alert
combat readiness
full combat readiness
on alert
alert level
raised the alert
put on alert
placed on alert
general mobilization
general mobilisation
mobilization of
mobilisation of
battle stations
defcon
combat-ready
war footing
""")
_add(HOSTILE, """
death to
down with
chanting
chanted
""")
_add(CALL, """
call to arms
take up arms
called for attacks
calls for attacks
called for jihad
calls for jihad
urged followers to attack
called on supporters to attack
kill all
""")

#: Cues that need a partner in the same sentence to count.
_NEEDS_FORCE = {"respond", "punish", "chanting", "chanted", "or face", "hours to", "days to", "deadline to",
                "revenge", "on alert", "state of alert", "use force", "by force"}
_FORCE_CONTEXT = re.compile(
    r"\b(?:attack|attacks|strike|strikes|force|forces|military|army|troops|missiles?|rockets?|bomb\w*|war|"
    r"fire|firing|kill\w*|blood|aggression|retaliat\w*|revenge|response|enemy|enemies|invad\w*|occupiers?|"
    r"invaders?|death to|down with|hand back|surrender|withdraw|leave|measures|consequences|crush\w*|"
    r"armed|weapons?|nuclear|territory|assassination|killing)\b",
    re.IGNORECASE,
)
_CHANT = re.compile(r"\b(?:death to|down with)\b", re.IGNORECASE)
_NONVIOLENT = re.compile(
    r"\b(?:(?<!air )(?<!missile )(?<!drone )(?<!military )strikes?(?! back| on| against| at)|walkout|walk out|"
    r"lawsuit|sue|suing|boycott\w*|sanction\w*|tariffs?|resign\w*|"
    r"impeach\w*|break off (?:diplomatic )?relations|broke off (?:diplomatic )?relations|sever\w* (?:diplomatic )?"
    r"ties|expel\w* (?:the )?(?:ambassador|diplomats?)|legal action|court|quit|shut ?down)\b",
    re.IGNORECASE,
)
_VIOLENT_OBJECT = re.compile(
    r"\b(?:attack|bomb|invade|destroy|kill|shoot|launch|missiles?|rockets?|military|forces?|troops|war|strikes? on|"
    r"air ?strikes?|bombing|retaliat\w*|revenge|crushing|set fire)\b",
    re.IGNORECASE,
)
_EXERCISE = re.compile(r"\b(?:exercises?|drills?|war games|manoeuvres|maneuvers)\b", re.IGNORECASE)
_DEESCALATE = re.compile(
    r"\b(?:restraint|calm|de-?escalat\w*|ceasefire|cease-fire|truce|peace talks|talks|agreed|agreement|"
    r"walk(?:ed|s)? back|back(?:ed)? down|retract\w*|withdr\w* (?:the |his |her |its |their )?threats?|"
    r"apologi[sz]\w*|ruled out|rule out|no plans to|not seeking|does not want|doesn't want)\b",
    re.IGNORECASE,
)
_PAST_EVENT = re.compile(r"\bin (?:retaliation|response|revenge) for\b", re.IGNORECASE)
_SPEAKER = re.compile(
    r"(?:,|\")\s*(?:said|says|told|warned|added)\s+(?P<a>[A-Z][\w.'-]{0,30}(?:\s[A-Z][\w.'-]{0,30}){0,4})|"
    r"(?P<b>[A-Z][\w.'-]{0,30}(?:\s[A-Z][\w.'-]{0,30}){0,4})\s+(?:said|says|warned|vowed|threatened|told)\b"
)


class EscalationOptions(DetectorOptions):
    #: Extra phrases that signal escalation, with their category (default "threat"), e.g.
    #: ``extra_phrases = {"scorched earth" = "threat"}``.
    extra_phrases: dict[str, str] = Field(default_factory=dict)


def severity_for(category: str) -> Severity:
    intensity = INTENSITY.get(category, 0.5)
    if intensity >= 1.0:
        return Severity.CRITICAL
    if intensity >= 0.75:
        return Severity.HIGH
    if intensity >= 0.6:
        return Severity.MEDIUM
    return Severity.LOW


class EscalationDetector:
    """Threats, ultimatums, revenge vows, war talk, raised alerts and hostile chants."""

    name: ClassVar[str] = "escalation"
    version: ClassVar[str] = "1.0"
    options_model: ClassVar[type[DetectorOptions]] = EscalationOptions
    #: The attributes of its findings and, where they are a fixed set, their values (for routes and silences).
    attributes: ClassVar[dict[str, tuple[str, ...] | None]] = {
        "category": tuple(INTENSITY), "cues": None, "speaker": None,
    }

    def __init__(self, options: EscalationOptions) -> None:
        self.options = options
        phrases = dict(PHRASES)
        for phrase, category in options.extra_phrases.items():
            phrases[phrase] = category if category in INTENSITY else THREAT
        self.matcher = PhraseMatcher(phrases)

    def detect(self, article: Article) -> Iterable[Finding]:
        text = article.text
        matches = self.matcher.longest(text)
        if not matches:
            return
        spans = split_sentences(text)
        by_sentence: dict[int, list] = {}
        j = 0
        for m in matches:
            while j < len(spans) and spans[j].end <= m.start:
                j += 1
            if j < len(spans) and spans[j].start <= m.start:
                by_sentence.setdefault(j, []).append(m)
        for idx, ms in sorted(by_sentence.items()):
            span = spans[idx]
            sent = text[span.start:span.end]
            kept = [m for m in ms if self._counts(sent, m.start - span.start, m.end - span.start, m.phrase.lower())]
            if not kept:
                continue
            category = max((m.value for m in kept), key=lambda c: INTENSITY.get(c, 0.5))
            lead = next(m for m in kept if m.value == category)
            attrs: dict[str, object] = {"category": category, "cues": sorted({m.phrase.lower() for m in kept})}
            speaker = _SPEAKER.search(sent)
            if speaker:
                attrs["speaker"] = (speaker.group("a") or speaker.group("b")).strip()
            yield Finding(
                detector=self.name,
                severity=severity_for(category),
                score=INTENSITY.get(category, 0.5),
                summary=f"{category.replace('_', ' ').capitalize()}: \u201c{lead.phrase}\u201d",
                evidence=tuple(Evidence.at(text, m.start, m.end) for m in kept),
                attributes=attrs,
            )

    def _counts(self, sent: str, s: int, e: int, phrase: str) -> bool:
        if is_negated(sent, s, 40) and not _CHANT.search(phrase):
            return False
        if _DEESCALATE.search(sent):
            return False
        if phrase in _NEEDS_FORCE:
            context = sent[:s] + " " + sent[e:]
            if not _FORCE_CONTEXT.search(context):
                return False
            if phrase in {"chanting", "chanted"} and not _CHANT.search(sent):
                return False
            if phrase == "respond" and not re.search(r"\b(?:will|would|vow\w*|promis\w*|threat\w*|warn\w*|"
                                                     r"to)\s+(?:\w+\s+)?$", sent[:s], re.IGNORECASE):
                return False
        if phrase in {"retaliation", "retaliatory", "reprisal", "reprisals", "revenge"} and _PAST_EVENT.search(
            sent[max(0, s - 20):e + 5]
        ):
            return False
        if _EXERCISE.search(sent) and not phrase.startswith(("threat", "declare")) and "war" not in phrase:
            return False
        if _CHANT.search(phrase) or phrase in {"chanting", "chanted"}:
            return True
        nonviolent = _NONVIOLENT.search(sent)
        return not (nonviolent and not _VIOLENT_OBJECT.search(sent[:nonviolent.start()] + sent[nonviolent.end():]))


@hookimpl
def monitor_register_detectors(register: RegisterDetector) -> None:
    register(EscalationDetector)
