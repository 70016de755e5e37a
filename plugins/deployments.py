"""Troop deployments: armed forces sent, withdrawn, kept, repositioned or mobilised.

One finding per distinct (count, movement). A sentence counts when a movement verb ("deployed", "will
withdraw", "would stay", "set up a military base", "mobilised") and an armed-force noun (troops,
soldiers, forces, army, marines, peacekeepers …) stand in the same clause. The count is the number of
personnel attached to the force noun ("about 3,000 additional troops"); vehicles and ships are not
personnel; a number belongs to the nearest movement of its kind within reach, a date ("15 October") is not a
count, and a force's strength ("a 2,800-strong contingent") or the level it is raised to ("boost its troops to
150,000") is. Police at a protest, servers, aid workers, rescue teams and scout troops are not deployments,
and negated statements ("no intention of withdrawing its troops") are skipped. The rules are generous: the
learned decision (``models/deployments.json``) keeps or drops what they propose.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from pydantic import Field

from monitor import Article, DetectorOptions, Evidence, Finding, Severity, hookimpl
from monitor.hookspecs import RegisterDetector
from monitor.text import (
    LiteralStarts,
    find_quantities,
    is_historical,
    is_negated,
    lower_same_length,
    parse_quantity,
    split_sentences,
    trie_pattern,
)
from monitor.text.learned import context_features, load_decision, tags

DEPLOY, WITHDRAW, REMAIN, REPOSITION, MOBILIZE = "deploy", "withdraw", "remain", "reposition", "mobilize"

_MOVEMENTS: dict[str, str] = {
    DEPLOY: r"deploy(?:s|ed|ing|ment|ments)?|sen[dt](?:s|ing)?(?! (?:\w+ ){0,2}?(?:troops|soldiers|forces) home)|"
    r"dispatch(?:es|ed|ing)?|arriv(?:e|ed|es|ing|al)|reinforc(?:e|ed|es|ing|ements?)|station(?:ed|ing)|positioned|"
    r"(?:set|setting|sets) up (?:a |an |its |their |the )?(?:\w+ )?(?:new )?(?:military |army )?"
    r"(?:base|bases|observation posts?|observation points?|points?|outposts?|barracks|positions?|posts?)|"
    r"establish(?:ed|es|ing)? (?:a |an |its |their )?(?:[\w ]{0,30})?(?:base|bases|observation posts?|"
    r"observation points?|outposts?|barracks)|(?:point|post|base) was (?:established|set up)|"
    r"pushed into|moved into|rolled into|entered|head(?:ed|ing) (?:to|towards?)|en route to|on (?:their|its) way|"
    r"boost(?:ed|ing|s)? (?:its |their )?(?:military )?presence|bolster(?:ed|ing|s)?|beef(?:ed|ing)? up|surge|"
    r"additional troops|more troops|extra troops|fresh troops|airlifted|flown in|build-?up|"
    # "ordered army soldiers and navy marines to guard the mines"; not "ordered troops to withdraw" or "confined".
    r"order(?:ed|s)? (?:[\d,]+ |some |more |additional |extra |(?!confine)\w+ ){0,5}?(?:troops|soldiers|forces|"
    r"marines|paratroopers|units) (?:into|to(?! (?:withdraw|pull|leave|retreat|return|stay|remain)\b)|towards)|"
    # "poured its forces into", "placed the banks under military protection", "took up positions".
    r"pour(?:ed|ing|s)? (?:in )?(?:its |their |more |fresh |thousands of |\w+ ){0,3}?(?:troops|forces|soldiers|"
    r"reinforcements)|"
    r"(?:plac|put)(?:e|ed|es|ing|s)? (?:\w+ ){0,3}?under (?:\w+ ){0,2}?(?:military|army) (?:protection|control|guard)|"
    r"(?:take|takes|took|taken|taking) (?:up )?(?:strategic |defensive |new |their |its )?positions|"
    r"install(?:ed|ing|s)? (?:\w+ ){0,3}?(?:military |army )?(?:bases?|outposts?|garrisons?|camps?)|"
    r"(?:bases?|outposts?|garrisons?|battalions?|brigades?|troops|units) (?:[\w,]+ ){0,5}?(?:be|been|being|was|were|"
    r"is|are) installed|"
    r"sail(?:ed|ing|s)? (?:toward|towards|to|into|for)|"
    # "will boost its troops in Iraq to 150,000": the count is the level reached (see _raised_to).
    r"(?:boost|increas|rais)(?:e|es|ed|ing|s)? (?:its |their |the )?(?:number of )?(?:\w+ )?(?:troops|forces|"
    r"soldiers|military presence)|strengthen(?:ed|s|ing)? (?:its |their )?(?:military |armed )?forces|"
    r"step(?:ped|s|ping)? up (?:its |their )?(?:military )?presence|call(?:ed|ing)? (?:in|into|out)|"
    r"pressed into service|expan(?:d|ded|ding|sion) (?:of )?(?:its |their |the )?(?:peacekeeping |military )?"
    r"(?:force|mission|presence)|establish(?:ed|ing)? (?:an? )?(?:interim |new )?peacekeeping force|"
    r"(?:rushed|moved in|reached the (?:spot|site|area))",
    WITHDRAW: r"withdr(?:aw|ew|awn|awing|awal|aws)|pull(?:ed|ing|s)? (?:[\w,]+ ){0,3}?(?:out|back)|pullout|pull-out|"
    r"retreat(?:ed|ing|s)?|on retreat|leav(?:e|es|ing)|bring(?:ing)? home|brought home|drawdown|draw down|"
    r"exit(?:ed|ing)?|evacuat(?:e|ed|ing)|sen(?:d|ds|ding|t) (?:\w+ ){0,2}?(?:troops|soldiers|forces) home|"
    r"pulls? out|depart(?:ed|ing|ure)|scal(?:e|ed|ing) back|reduc(?:e|ed|es|ing|tion)(?: in)? (?:the )?"
    r"(?:number of )?(?:its |their |the )?(?:armed |military )?(?:troops|forces|presence|personnel)|"
    r"return(?:ed|ing|s)? to (?:their |its )?(?:bases?|barracks)|"
    r"abandon(?:ed|ing|s)? (?:its |their |the )?(?:\w+ )?(?:positions?|posts?|bases?|zones?|outposts?|garrisons?)|"
    r"dismantl(?:e|ed|es|ing) (?:\w+ ){0,3}?(?:outposts?|bases?|posts?|camps?|garrisons?)|"
    r"(?:outposts?|bases?|camps?|garrisons?) (?:[\w,]+ ){0,12}?(?:were|was|had been|have been|has been) dismantled",
    REMAIN: r"(?:are|is|remain|remains) (?:still |currently |now )?(?:stationed|based)|"
    r"refus(?:e|es|ed|ing) to (?:withdraw|pull out|leave|remove)|"
    r"remain(?:s|ed|ing)?|stay(?:s|ed|ing)?(?! alert)|keep(?:s|ing)?|kept|"
    r"will be retained|retain(?:s|ed)?|continu(?:e|es|ed|ing) to be (?:deployed|stationed|posted)|"
    r"extend(?:ed|s)? (?:the |its |their )?(?:deployment|mission|presence)|"
    r"(?:further )?extension of (?:the |its |their )?(?:[\w-]+ )?(?:peacekeeping )?(?:force|mission|deployment)",
    REPOSITION: r"reposition(?:s|ed|ing)?|relocat(?:e|ed|es|ing)|redeploy(?:s|ed|ing|ment)?|"
    r"mov(?:e|ed|es|ing) (?:its |their |some |the )?(?:forces|troops|soldiers|personnel|units)|shift(?:ed|ing)? "
    r"(?:forces|troops)|transferr?(?:ed|ing)?|regroup(?:s|ed|ing)?|spread out|"
    r"movements? of (?:[\w.]+ ){0,3}?(?:troops|forces|soldiers|units)|"
    r"(?:mov(?:e|ed|es|ing)|roll(?:ed|ing|s)?|push(?:ed|es|ing)?) (?:further |farther )?"
    r"(?:north|south|east|west|north-?east|north-?west|south-?east|south-?west)(?:wards?)?",
    MOBILIZE: r"mobili[sz](?:e|ed|es|ing|ation)|call(?:ed|ing|s)? up|call-up|reservists|mass(?:ed|ing|es)|"
    r"(?:state of|general|high|maximum|red) alert|on alert|stay(?:s|ed|ing)? alert|on standby|"
    r"confine(?:d|ment) (?:of (?:[\w,]+ ){1,8}?)?to (?:their |its )?barracks|"
    r"concentrat(?:e|es|ed|ion|ing) (?:of )?(?:its |their )?(?:\w+ )?(?:troops|forces)|"
    r"(?:troops|forces|soldiers|units) (?:were |are |have been )?concentrated (?:along|on|near|at|in)|"
    r"mass (?:his|its|their) (?:\w+ )?(?:troops|forces|divisions|armies|soldiers)|"
    r"amass(?:ed|ing|es)?|conscript(?:ed|ion|s)?|draft(?:ed|ing)",
}
#: Movements and force nouns are matched on the sentence lower-cased with its offsets kept (``lower_same_length``):
#: the patterns are lower case, and case-insensitive matching made these the largest cost of the detector.
_MOVEMENT_RE = re.compile("|".join(f"(?P<{m}>\\b(?:{p})\\b)" for m, p in _MOVEMENTS.items()))

_FORCE = (
    r"troops?|soldiers?|forces|army|armies|military|marines?|paratroopers?|battalions?|brigades?|divisions?|"
    r"regiments?|peacekeepers?|peacekeeping|personnel|reservists|servicemen|servicemembers|service members|"
    r"reinforcements|contingents?|garrisons?|trainers|commandos|special forces|navy|warships?|tanks|"
    r"armou?red (?:vehicles|personnel carriers)|national guard|guardsmen|units?|legionnaires|infantry|"
    r"artillery|gendarmes|paramilitar(?:y|ies)|militia|militias|fighters|rebels|militants|jihadists|"
    r"insurgents|mujahideen|volunteers|conscripts|recruits|detachments?|troopers"
)
_FORCE_RE = re.compile(rf"\b(?:{_FORCE})\b")
#: The same nouns as literal words, for a one-pass pre-filter over the lower-cased article.
_FORCE_WORDS = (
    "troop troops soldier soldiers forces army armies military marine marines paratrooper paratroopers battalion "
    "battalions brigade brigades division divisions regiment regiments peacekeeper peacekeepers peacekeeping "
    "personnel reservists servicemen servicemembers service reinforcements contingent contingents garrison "
    "garrisons trainers commandos special navy warship warships tanks armored armoured national guardsmen unit "
    "units legionnaires infantry artillery gendarmes paramilitary paramilitaries militia militias fighters rebels "
    "militants jihadists insurgents mujahideen volunteers conscripts recruits detachment detachments troopers"
).split()
_FORCE_CUE = re.compile(r"\b(?:" + trie_pattern(_FORCE_WORDS) + r")\b")
_FORCE_STARTS = LiteralStarts(_FORCE_CUE, _FORCE_WORDS)
#: Force nouns that count people; only these take a personnel number ("56 military observation points" do not).
_PERSONNEL = (
    r"troops?|soldiers?|forces|marines?|paratroopers?|peacekeepers?|personnel|reservists|servicemen|"
    r"servicemembers|service members|reinforcements|trainers|commandos|special forces|guardsmen|legionnaires|"
    r"gendarmes|paramilitaries|militiamen|fighters|rebels|militants|jihadists|insurgents|mujahideen|volunteers|"
    r"conscripts|recruits|members|men|officers|advisers|advisors|instructors|sailors|airmen|troopers"
)
_PERSONNEL_RE = re.compile(rf"^(?:{_PERSONNEL})$", re.IGNORECASE)
#: A number's personnel noun: the first within six plain words after it (no punctuation, no verb between).
_COUNTED = re.compile(r"^\s*(?:(?:of (?:its|their|the|his|her) )|(?:(?!(?:were|was|are|is|have|has|had|will|would|"
                      r"people|persons|civilians|residents|villagers|children|women|(?!armed\b)\w+ed|companies|company|columns?|"
                      r"battalions?|brigades?|platoons?|units?|divisions?|regiments?|squadrons?|contingents?|"
                      r"troops|soldiers)\b)[\w'-]+\s+))"
                      r"{0,6}?(?P<f>military police(?:men)?|" + _PERSONNEL + r")\b", re.IGNORECASE)
#: Personnel nouns that are not force nouns themselves, counted when a force noun stands before them.
_COUNTED_ALSO = re.compile(r"^(?:members|men|officers|advisers|advisors|instructors|sailors|airmen|personnel)$",
                           re.IGNORECASE)
#: "military sources", "army chief": an adjectival force word before a noun that is not a force.
_NOT_FORCE_AFTER = re.compile(
    r"\s+(?:sources?|officials?|spokesm[ae]n|spokesperson|statement|court|chief|chiefs|leaders?|junta|regime|"
    r"government|council|hospital|academy|planes?|jets?|aircraft|helicopters?|drones?|exercises?|drills?|parade|"
    r"equipment|hardware|aid|cooperation|ties|analysts?|experts?|intelligence|spending|budget|action|options?|"
    r"operations?|targets?|facilit(?:y|ies)|sites?|installations?|positions?|vehicles?|of (?:the )?police\w*)\b",
    re.IGNORECASE,
)
#: Movement words that only say "forces moved" when troops or a convoy are the ones moving.
_WEAK = re.compile(r"^(?:entered|arriv\w*|head\w* (?:to|towards?)|en route to|on (?:their|its) way|moved into|"
                   r"rolled into|pushed into)$", re.IGNORECASE)
#: Irregular fighters count only when they mobilise or pull back, not when they "arrive" to attack.
_IRREGULAR = re.compile(r"^(?:fighters|rebels|militants|jihadists|insurgents|mujahideen|volunteers|militias?)$",
                        re.IGNORECASE)
#: Not armed forces: police at a protest, scouts, aid and rescue workers, computing.
_NOT_FORCE_BEFORE = re.compile(
    r"\b(?:police|riot|scouts?|girl scout|boy scout|aid|rescue|relief|medical|humanitarian|cleanup|sales|work|"
    r"task)\s*$", re.IGNORECASE)
#: "Heavy artillery" is equipment; "a heavy contingent" is still people.
_HEAVY_EQUIPMENT = re.compile(r"^(?:artillery|tanks|armou?red \w+)$", re.IGNORECASE)
_HEAVY = re.compile(r"\bheavy\s*$", re.IGNORECASE)
_NOT_A_DEPLOYMENT = re.compile(
    r"\b(?:servers?|software|app|update|cloud|funds?|investors?|water cannon|tear gas|police(?:men)? "
    r"(?:were|was|have been) deployed|scouts?|rescue teams?|aid workers|doctors|firefighters|ambulances|"
    r"exercises?|drills?|war games|parade)\b",
    re.IGNORECASE,
)
#: A movement only threatened, retracted or conditional is not a deployment ("a threat to send troops").
_NOT_REAL = re.compile(r"\b(?:threat(?:s|en|ens|ened)?|retract\w*|walk(?:ed|s)? back|if|unless|would need|could)\b",
                       re.IGNORECASE)
_CLAUSE = re.compile(r";|\.\s|:\s")
#: Phrases with a second reading: troops "concentrated" along a border are massed (mobilize) or moved within
#: the theatre (reposition); "confined to barracks" is a raised readiness (mobilize) or forces kept (remain).
_ALSO = [(re.compile(r"(?:\w+ )*?concentrat", re.IGNORECASE), REPOSITION),
         (re.compile(r"confine[^.;]*barracks", re.IGNORECASE), REMAIN)]
_TO_HOSPITAL = re.compile(r"\s+(?:to|into)\s+(?:a |the )?(?:[\w-]+\s+){0,2}?(?:hospitals?|clinic|medical)\b",
                          re.IGNORECASE)
#: Irregular fighters that regroup have moved, not attacked.
_REGROUP = re.compile(r"regroup", re.IGNORECASE)
_VEHICLES = re.compile(r"^\s*(?:[\w-]+\s+){0,2}?(?:vehicles|tanks|ships|warships|aircraft|jets|planes|helicopters|"
                       r"drones|missiles|carriers|trucks|boats|vessels|batteries|launchers|convoys)\b", re.IGNORECASE)


#: Sentence cues the learned decision weighs: plans and wishes, forecasts, fighting, casualty phrases, the past.
_FLAGS = [
    ("plan", re.compile(r"\b(?:plan\w*|expect\w*|keen|want\w*|wish\w*|hope\w*|may|might|could|consider\w*|"
                        r"propos\w*|seek\w*|someday|intend\w*|aim\w*|ready to|prepared to|likely|possible)\b", re.I)),
    ("fighting", re.compile(r"\b(?:attack\w*|clash\w*|ambush\w*|encounter\w*|gunfight|exchange of fire|opened fire|"
                            r"fired|shot|raid\w*|stormed|killed|injured|wounded|abduct\w*|hurt)\b", re.I)),
    ("casualty_leave", re.compile(r"\b(?:leav(?:e|es|ing)|left)\s+(?:\w+\s+){0,3}(?:dead|hurt|injured|wounded|killed)",
                                  re.I)),
    ("remain_state", re.compile(r"\bremain\w*\s+(?:determined|committed|high|tense|calm|unclear|closed|open|"
                                r"missing|unknown|in (?:custody|hospital|power|place|effect))\b", re.I)),
    ("future", re.compile(r"\b(?:will|would|shall|to be|going to)\b", re.I)),
    ("past_year", re.compile(r"\b(?:in|of|since|during) (?:the )?(?:1[89]\d\d|20[01]\d)\b|\byears ago\b", re.I)),
    ("police", re.compile(r"\b(?:police|policemen|constables?)\b", re.I)),
    ("asked", re.compile(r"\b(?:demand\w*|request\w*|sought|seek\w*|urg\w*|appeal\w*|plea|offer\w*|asked|"
                         r"call(?:s|ed)? for|petition\w*|decision to|agreed to|refus\w*|turned down)\b", re.I)),
    ("nominal", re.compile(r"\b(?:deployment|withdrawal|pullout|pull-out|mobili[sz]ation|build-?up|presence)\s+of\b",
                           re.I)),
    ("passive", re.compile(r"\b(?:were|was|have been|has been|had been|are|is|being)\s+(?:\w+\s+)?(?:deployed|sent|"
                           r"rushed|dispatched|withdrawn|stationed|mobili[sz]ed|moved|pulled|put|placed)\b", re.I)),
    ("perfect_past", re.compile(r"\b(?:have|has|had)\s+(?:\w+\s+)?(?:deployed|sent|rushed|dispatched|withdrawn|"
                                r"moved|pulled|arrived|entered|left|mobili[sz]ed)\b|\b(?:deployed|sent|rushed|dispatched|"
                                r"withdrew|arrived|entered|mobili[sz]ed|pulled)\b", re.I)),
    ("security_forces", re.compile(r"\b(?:security forces|sf|crpf|bsf|rangers|frontier corps|paramilitary|army|"
                                   r"troops)\b", re.I)),
]
MODEL = Path(__file__).resolve().parent / "models" / "deployments.json"


@dataclass(frozen=True)
class Candidate:
    """A (count, movement) the rules read, every place they read it, and the features the decision weighs."""

    count: int | None
    movement: str
    spots: tuple[tuple[int, int, dict[str, object]], ...]
    features: dict[str, float]
    #: The first spot stands beside a cue of history in its sentence ("in 1979 the Soviet Union sent troops").
    background: bool = False


class DeploymentOptions(DetectorOptions):
    #: Findings with a personnel count below this are dropped (counts of null are always kept).
    min_count: int = Field(default=0, ge=0)
    #: Extra phrases that mean "deploy" in your sources (e.g. "surged into").
    extra_deploy: list[str] = Field(default_factory=list)


def severity_for(movement: str, count: int | None) -> Severity:
    """Size and direction: large sends and mobilisations rank above withdrawals and holds (README)."""
    size = count or 0
    if movement in (DEPLOY, MOBILIZE):
        return Severity.HIGH if size >= 1000 else Severity.MEDIUM
    if movement == REPOSITION:
        return Severity.MEDIUM if size >= 1000 else Severity.LOW
    return Severity.MEDIUM if size >= 1000 else Severity.LOW


class DeploymentsDetector:
    """Armed forces moved or kept, with personnel counts."""

    name: ClassVar[str] = "deployments"
    version: ClassVar[str] = "2.0"
    options_model: ClassVar[type[DetectorOptions]] = DeploymentOptions
    #: The attributes of its findings and, where they are a fixed set, their values (for routes and silences).
    attributes: ClassVar[dict[str, tuple[str, ...] | None]] = {
        "count": None, "movement": (DEPLOY, WITHDRAW, REMAIN, REPOSITION, MOBILIZE), "unit": None,
        "background": ("true", "false"), "why": None,
    }

    def __init__(self, options: DeploymentOptions) -> None:
        self.options = options
        self._extra = (
            re.compile(r"\b(?:" + "|".join(re.escape(p) for p in options.extra_deploy) + r")\b", re.IGNORECASE)
            if options.extra_deploy else None
        )
        self.decision = load_decision(MODEL)

    def candidates(self, article: Article) -> list[Candidate]:
        """Every (count, movement) the rules read, with its features (the learned decision's input)."""
        text = article.text
        found: dict[tuple[int | None, str], list[tuple[int, int, dict[str, object]]]] = {}
        where: dict[tuple[int | None, str], tuple[int, int]] = {}
        shapes: dict[tuple[int | None, str], dict[str, float]] = {}
        # A deployment needs a force noun: find them once, then read only the sentences that have one.
        forces = _FORCE_STARTS.starts(lower_same_length(text))
        if not forces:
            return []
        for span in split_sentences(text):
            i = bisect_left(forces, span.start)
            if i == len(forces) or forces[i] >= span.end:
                continue
            sent = text[span.start:span.end]
            hits = self._sentence(sent)
            counted = {movement for count, movement, *_ in hits if count is not None}
            for count, movement, s, e, extra, shape in hits:
                if count is None and movement in counted:
                    continue  # "200 marines arrived ... to reinforce": one movement, already counted
                found.setdefault((count, movement), []).append((span.start + s, span.start + e, extra))
                shapes.setdefault((count, movement), shape)
                where.setdefault((count, movement), (span.start, span.end))
        out = []
        for (count, movement), spots in found.items():
            s0, s1 = where[(count, movement)]
            feats = context_features(text, (s0, s1), spots[0][:2])
            sent = text[s0:s1]
            feats.update(tags(f"mov:{movement}", f"unit:{spots[0][2].get('unit')}",
                              "count:yes" if count is not None else "count:no", f"spots:{min(len(spots), 3)}"))
            for flag, pattern in _FLAGS:
                if pattern.search(sent):
                    feats["x:" + flag] = 1.0
            if s0 == 0:
                feats["x:first_sentence"] = 1.0
            if count is not None:
                feats["size:" + ("1-9" if count < 10 else "10-99" if count < 100 else "100-999" if count < 1000
                                 else "1000+")] = 1.0
            # Each movement weighs its cues on its own ("remain" and "deploy" read "will" differently).
            feats.update({f"{movement}|{k}": v for k, v in list(feats.items()) if k[:2] in ("x:", "cu", "l:")})
            # The movement's own structure: its form is weighed per movement too ("will" reads differently for
            # "remain" and "deploy"), the distance alike for all (crossing it did not help).
            shape = shapes[(count, movement)]
            feats.update(shape)
            feats.update({f"{movement}|{k}": v for k, v in shape.items() if k.startswith("t:form")})
            # forces on alert for an anniversary are news: only a past time makes a movement history
            background = is_historical(sent, spots[0][0] - s0, spots[0][1] - s0, commemorations=False)
            out.append(Candidate(count, movement, tuple(spots), feats, background))
        return out

    def detect(self, article: Article) -> Iterable[Finding]:
        text = article.text
        for c in self.candidates(article):
            if c.count is not None and c.count < self.options.min_count:
                continue
            why: list[str] = []
            if self.decision is not None and "x:user_phrase" not in c.features:
                kept, p, why = self.decision.decide(c.features)
                if not kept:
                    continue
            else:
                p = 0.6 if c.count is None else min(1.0, 0.6 + len(str(c.count)) * 0.08)
            attrs: dict[str, object] = {"count": c.count, "movement": c.movement, **c.spots[0][2]}
            severity = severity_for(c.movement, c.count)
            stated = f"{c.count:,} personnel" if c.count is not None else "forces"
            summary = f"{c.movement.capitalize()}: {stated}"
            # A movement of history is background: low, and no default route sends it (issue 11).
            if c.background:
                attrs["background"] = True
                summary += " (background)"
                severity = Severity.LOW
            if why:
                attrs["why"] = why
            yield Finding(
                detector=self.name,
                severity=severity,
                score=round(p, 3),
                summary=summary,
                evidence=tuple(Evidence.at(text, s, e) for s, e, _ in c.spots[:3]),
                attributes=attrs,
            )

    def _movements(self, sent: str) -> list[tuple[str, int, int]]:
        out = [(m.lastgroup or DEPLOY, m.start(), m.end()) for m in _MOVEMENT_RE.finditer(lower_same_length(sent))]
        # Phrases the labels read two ways: each reading is proposed and the learned decision weighs them.
        out += [(also, s, e) for movement, s, e in list(out) for pattern, also in _ALSO
                if movement != also and pattern.match(sent, s, e)]
        if self._extra:
            out += [(DEPLOY, m.start(), m.end()) for m in self._extra.finditer(sent)]
        return sorted(out, key=lambda t: t[1])

    def _sentence(self, sent: str) -> list[tuple[int | None, str, int, int, dict[str, object], dict[str, float]]]:
        if _NOT_A_DEPLOYMENT.search(sent) and not re.search(r"\b(?:troops|soldiers|army|military)\b", sent, re.I):
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
        for movement, ms, me in self._movements(sent):
            clause_start, clause_end = _clause_bounds(sent, ms)
            near = [f for f in forces if clause_start <= f.start() < clause_end and abs(f.start() - ms) < 120]
            if not near:
                continue
            if all(_IRREGULAR.match(f.group()) for f in near) and movement not in (MOBILIZE, WITHDRAW) and not (
                movement == REPOSITION and _REGROUP.match(sent, ms, me)
            ):
                continue
            if _WEAK.match(sent[ms:me]) and not (
                any(_PERSONNEL_RE.match(f.group()) for f in near) or re.search(r"\bconvoy\b", sent, re.I)
            ):
                continue
            if is_negated(sent, ms, 50) or re.search(r"\b(?:no|not|never|deny|denied|denies)\b[^.;]{0,25}$",
                                                    sent[max(0, ms - 40):ms], re.IGNORECASE):
                continue
            if _NOT_REAL.search(sent[max(0, clause_start, ms - 60):ms]):
                continue
            if movement == REMAIN and not _remain_is_about_forces(sent, ms, me, near):
                continue
            if movement == DEPLOY and _describes_location(sent, ms, me):
                continue
            if movement == DEPLOY and _TO_HOSPITAL.match(sent, me):
                continue  # "the injured jawans were rushed to a nearby hospital": casualties, not a deployment
            force = min(near, key=lambda f: abs(f.start() - ms))
            others = [m for m in self._movements(sent) if m[1] != ms]
            counts = _personnel(sent, near, clause_start, clause_end, movement, ms, me, others)
            start = min(ms, force.start())
            end = max(me, force.end())
            extra: dict[str, object] = {"unit": force.group().lower()}
            readings: list[int | None] = [*counts] or [None]
            shape = _structure(sent, ms, me, force, clause_start)
            out += [(count, movement, start, end, extra, shape) for count in readings]
        return out


#: The words just before a movement that say what kind of statement it is (read on the lower-cased 40 characters
#: before the movement word, within its clause).
_FORM_BEFORE = [
    ("modal", re.compile(r"\b(?:could|might|may|can|should|must)\s+(?:not\s+|also\s+|soon\s+|still\s+)?"
                         r"(?:be\s+)?$")),
    ("future", re.compile(r"(?:\b(?:will|would|shall|'ll)|\bgoing to|\bset to|\bdue to|\babout to)\s+"
                          r"(?:not\s+|also\s+|soon\s+|now\s+|still\s+|\w+ly\s+)?(?:be\s+|begin\s+|start\s+)?$")),
    ("wish", re.compile(r"\b(?:plan\w*|expect\w*|keen|want\w*|wish\w*|hop\w*|consider\w*|propos\w*|intend\w*|aim\w*|"
                        r"likely|threat\w*|vow\w*|pledg\w*|promis\w*|willing|offer\w*|need\w*)\s+"
                        r"(?:(?:\w+\s+){0,3}?to\s+(?:\w+ly\s+)?(?:be\s+)?|(?:for\s+)?(?:an?\s+|the\s+|its\s+|their\s+)"
                        r"?(?:\w+\s+)?)$")),
    ("asked", re.compile(r"\b(?:ask\w*|urg\w*|call\w* (?:on|for)|requested|request|demand\w*|seek\w*|sought|"
                         r"appeal\w*|press\w*|refus\w*)\s+"
                         r"(?:(?:\w+\s+){0,3}?to\s+(?:\w+ly\s+)?(?:be\s+)?|(?:for\s+)?(?:an?\s+|the\s+|its\s+|their\s+)"
                         r"?(?:\w+\s+)?)$")),
    ("decided", re.compile(r"\b(?:decid\w*|decision|agree\w*|order\w*|approv\w*|authori[sz]\w*|allow\w*|ready|"
                           r"prepared|preparing)\s+"
                           r"(?:(?:\w+\s+){0,3}?to\s+(?:\w+ly\s+)?(?:be\s+)?|(?:for\s+)?(?:an?\s+|the\s+|its\s+|"
                           r"their\s+)?(?:\w+\s+)?)$")),
    ("infinitive", re.compile(r"\bto\s+(?:\w+ly\s+)?(?:be\s+)?$")),
    ("perfect", re.compile(r"\b(?:has|have|had)\s+(?:\w+\s+)?(?:been\s+)?$")),
    ("passive", re.compile(r"\b(?:was|were|is|are|being|been)\s+(?:\w+ly\s+|already\s+|also\s+)?$")),
]
#: A movement said as a noun ("the deployment of", "a pullout", "its withdrawal"), not a verb.
_NOMINAL = re.compile(r"^(?:deployments?|withdrawal|pullout|pull-out|drawdown|draw down|build-?up|reinforcements?|"
                      r"arrival|departure|evacuation|mobili[sz]ation|movements?|concentration|redeployment|relocation|"
                      r"extension|expansion|surge|exit|call-up|conscription|reduction|transfer|retreat)\b")
_DETERMINER = re.compile(r"\b(?:a|an|the|its|their|his|her|of|for|any|more|further|new|this|that)\s+$")
_PAST_WORD = re.compile(r"^(?:\w+ed|sent|withdrew|withdrawn|left|kept|took|taken|brought|drew|poured|put|set|moved|"
                        r"called|pulled|rushed)\b")
_TOKEN = re.compile(r"[\w']+")


def _structure(sent: str, ms: int, me: int, force: re.Match[str], c0: int) -> dict[str, float]:
    """How the movement is said, read around its own word: its form (done, announced, planned or wished, asked
    for, decided, a noun; ``t:form=*``) and how many words stand between it and its force noun (``t:dist=*``).

    Kept because they raised the out-of-fold F1 on the default and on reshuffled folds (README); the force noun's
    role (before or after the verb), a fighting word acting on it, a destination or source phrase, "remain" of a
    state, relative clauses and captions were tried and did not."""
    before = sent[max(c0, ms - 40):ms].lower()
    word = sent[ms:me].lower()
    form = next((name for name, pattern in _FORM_BEFORE if pattern.search(before)), None)
    if form is None and (_NOMINAL.match(word) or _DETERMINER.search(before)):
        form = "noun"
    if form is None:
        form = "past" if _PAST_WORD.match(word) else "ing" if word.split()[0].endswith("ing") else "bare"
    gap = sent[force.end():ms] if force.start() < ms else sent[me:force.start()]
    n = len(_TOKEN.findall(gap))
    return {"t:form=" + form: 1.0, "t:dist=" + ("0" if n == 0 else "1-3" if n <= 3 else "4-8" if n <= 8 else "9+"): 1.0}


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
    if word.startswith(("keep", "kept")) and re.match(rf"\s+(?:[\w,]+\s+){{0,4}}?(?:{_FORCE})\b", sent[me:],
                                                     re.IGNORECASE):
        return True
    return any(f.start() < ms for f in near) or bool(re.match(r"\s+(?:in|on|at|behind|deployed|stationed)", sent[me:]))


_BARE_REMAIN = {"remain", "remains", "remained", "stay", "stays", "stayed", "staying", "keep", "keeps", "keeping",
                "kept", "retain", "retains", "retained", "will be retained"}


def _describes_location(sent: str, ms: int, me: int) -> bool:
    """'soldiers stationed in Iraq' says where forces are, not that they moved."""
    word = sent[ms:me].lower()
    return word in {"stationed", "based", "positioned"} and re.search(rf"\b(?:{_FORCE})\s+$", sent[max(0, ms - 30):ms],
                                                         re.IGNORECASE) is not None


def _personnel(sent: str, near: list[re.Match[str]], c0: int, c1: int, movement: str, ms: int, me: int,
               others: list[tuple[str, int, int]]) -> list[int]:
    """The number directly attached to a force noun in the clause ("about 750 more soldiers").

    A number whose force noun is separated from this movement by another movement verb, or that stands nearer
    another kind of movement, belongs to that one; so does a number far from the verb in a long clause. Dates
    ("15 October", "on July 29") are not counts. The first number is the count; a force's stated strength
    ("163 peacekeepers, the first group of a 331-strong contingent, arrived") is a second reading.
    """
    raised = _raised_to(sent, ms, me, c1)
    if raised is not None:
        return [raised]
    best = None
    strength = None
    for q in find_quantities(sent[c0:c1]):
        if q.count is None:
            continue
        qs, qe = c0 + q.start, c0 + q.end
        after = sent[qe:c1]
        if _VEHICLES.match(after) or _is_date(sent, qs, qe, q.count):
            continue
        gap = qs - me if qs >= me else ms - qe
        if gap > _COUNT_REACH or any(
            (o[1] - qe if o[1] >= qe else qs - o[2]) < gap for o in others
            if o[0] != movement and (o[2] <= qs or o[1] >= qe)
        ):
            continue
        if _bare_count(sent, me, qs, after, near):
            best = q.count if best is None else best
            continue
        strong = _STRONG.match(after)
        if strong and (strong.group("f").lower() == "force" or any(f.start() == qe + strong.start("f") for f in near)):
            strength = q.count if strength is None else strength
            continue
        # The first personnel noun within six plain words: "1,500 army and air force troops", "126 army men".
        m = _COUNTED.match(after)
        if m and any(min(ms, qs) < o[1] < max(ms, qs) for o in others):
            continue
        if m and re.match(r"\s+each\b", after[m.end():]):
            continue  # "nine columns (70-100 soldiers each)": a unit's size, not how many moved
        if m and (any(f.start() == qe + m.start("f") for f in near) or _COUNTED_ALSO.match(m.group("f"))):
            if _IRREGULAR.match(m.group("f")) and not re.search(r"mobili|withdr|retreat", sent, re.I):
                continue
            best = q.count if best is None else best
    return [c for c in (best, strength) if c is not None]


#: How far (characters) a personnel number may stand from its movement verb in one clause.
_COUNT_REACH = 150
_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|" \
         r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_MONTH_BEFORE = re.compile(rf"\b{_MONTH}\s+$", re.IGNORECASE)
_YEAR_BEFORE = re.compile(rf"\b{_MONTH}\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?$", re.IGNORECASE)
_MONTH_AFTER = re.compile(rf"^(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b", re.IGNORECASE)
#: "a 2,800-strong contingent", "a 5,000-strong force": the strength of the force that moves.
_STRONG = re.compile(rf"^-strong\s+(?:[\w-]+\s+){{0,3}}?(?P<f>force|{_FORCE})\b", re.IGNORECASE)
#: "sent another 4,000 to the state": a number right after the verb, its force noun named elsewhere.
_BARE_BEFORE = re.compile(r"^\s+(?:another|an(?: additional| extra)?|a further|a)?\s*$", re.IGNORECASE)
_BARE_AFTER = re.compile(r"^\s*(?:more\s+)?(?:(?:to|into|in|on|at|for|from)\b|[,.;]|$)", re.IGNORECASE)
#: "will boost its troops in Iraq to 150,000": the level the force is raised to.
_RAISED = re.compile(r"^(?:boost|increas|rais)", re.IGNORECASE)
_RAISED_TO = re.compile(r"^[^.;:]{0,60}?\bto\s+(?:about |around |some |nearly |almost |roughly )?(?P<n>\d[\d,.]*"
                        r"(?:\s+(?:thousand|million))?)(?!\s*(?:percent|per cent|%|\w+s? (?:dollars|euros)))\b",
                        re.IGNORECASE)


def _is_date(sent: str, qs: int, qe: int, count: int) -> bool:
    """'15 October', 'on July 29', 'the 3rd of May', 'October 2004': a date, not a number of people."""
    if 1800 <= count <= 2100:
        return _YEAR_BEFORE.search(sent[max(0, qs - 20):qs]) is not None
    return count <= 31 and bool(_MONTH_BEFORE.search(sent[max(0, qs - 12):qs]) or _MONTH_AFTER.match(sent[qe:qe + 14]))


def _bare_count(sent: str, me: int, qs: int, after: str, near: list[re.Match[str]]) -> bool:
    """A number that directly follows the movement verb and names no noun of its own, when the clause's force
    noun counts people ("the troops were a stopgap, but the government sent another 4,000 to the state")."""
    return (qs >= me and _BARE_BEFORE.match(sent[me:qs]) is not None and _BARE_AFTER.match(after) is not None
            and any(_PERSONNEL_RE.match(f.group()) for f in near))


def _raised_to(sent: str, ms: int, me: int, c1: int) -> int | None:
    """'boost its troops in Iraq to 150,000': the level reached, said after the force noun."""
    if not _RAISED.match(sent[ms:me]):
        return None
    m = _RAISED_TO.match(sent[me:c1])
    if m is None:
        return None
    q = parse_quantity(m.group("n"))
    return q.count if q is not None and q.count is not None and q.count >= 10 else None


@hookimpl
def monitor_register_detectors(register: RegisterDetector) -> None:
    register(DeploymentsDetector)
