"""What moves and who: the five movements and the verbs and phrases for each, the armed-force nouns (with the
one-pass pre-filter that finds them in an article), and the nouns that count personnel."""

from __future__ import annotations

import re

from monitor.text import LiteralStarts, trie_pattern

DEPLOY, WITHDRAW, REMAIN, REPOSITION, MOBILIZE = "deploy", "withdraw", "remain", "reposition", "mobilize"

#: Right after the commonest force nouns: what their verb says of them ("troops massed", "forces gathered").
_AFTER_FORCE = r"(?:(?<=troops )|(?<=forces )|(?<=soldiers ))"

_MOVEMENTS: dict[str, str] = {
    DEPLOY: r"deploy(?:s|ed|ing|ment|ments)?|sen[dt](?:s|ing)?(?! (?:\w+ ){0,2}?(?:troops|soldiers|forces) home)|"
    r"dispatch(?:es|ed|ing)?|arriv(?:e|ed|es|ing|al)|reinforc(?:e|ed|es|ing|ements?)|station(?:ed|ing)|positioned|"
    r"(?:set|setting|sets) up (?:a |an |its |their |the )?(?:\w+ )?(?:new )?(?:military |army )?"
    r"(?:base|bases|observation posts?|observation points?|points?|outposts?|barracks|positions?|posts?)|"
    r"establish(?:ed|es|ing)? (?:a |an |its |their )?(?:[\w ]{0,30})?(?:base|bases|observation posts?|"
    r"observation points?|outposts?|barracks)|(?:point|post|base) was (?:established|set up)|"
    r"pushed into|moved into|rolled into|marched into|entered|head(?:ed|ing) (?:to|towards?)|"
    # leaving for a place is going there ("RAAF contingent to leave for Iraq"); leaving for home is not
    r"(?:leav(?:e|es|ing)|left) for(?! home\b)"
    r"(?! (?:[\w-]+ ){0,5}?(?:(?:was|were|is|are|had been|has been|have been) )?cancel)|"
    # troops massed at a border are moved there, as the labels read it ("Russia amassed over 94,000 troops at the
    # border", "as troops amass near Ukraine"); forces that "enter" a country, in a headline's present tense
    r"mass(?:ed|ing|es)(?= (?:(?!(?:as|while|and|when|but|where|in|at|on|near|outside|against|before|behind|"
    r"around|front|by|with|from|into|who|which)\b)[\w,.-]+ ){0,4}?(?:troops|forces|divisions|armies|soldiers|"
    r"tanks)\b)|mass (?:his|its|their) (?:\w+ )?(?:troops|forces|divisions|armies|soldiers)|"
    + _AFTER_FORCE + r"(?:were |have |had |are )?massed|"
    r"amass(?:ed|ing|es)?|(?:(?<=troops )|(?<=forces )|(?<=soldiers )|(?<=tanks )|(?<=troops to )|(?<=forces to ))"
    r"enters?(?! (?:(?:the|a|an|its|"
    r"their|second|third|final|next|new) )?(?:\w+ )?(?:day|days|week|weeks|month|months|year|final|finals|"
    r"semi-?finals?|race|talks|competition|tournament|phase|stage|round|league|cup|contest|championship)\b)|"
    r"went in(?:to)?(?! (?:effect|force|service|operation|production|hiding|administration|halftime|overtime|"
    r"extra time|talks|detail))|"
    r"en route to|on (?:their|its) way|"
    r"boost(?:ed|ing|s)? (?:its |their )?(?:military )?presence|bolster(?:ed|ing|s)?|beef(?:ed|ing)? up|surge|"
    r"additional troops|more troops|extra troops|fresh troops|airlifted|flown in|build(?:-| )?ups?|built up|"
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
    r"soldiers|military presence)|increas(?:e|es|ed|ing) (?:its |their |the )?(?:military |naval )?presence|"
    r"strengthen(?:ed|s|ing)? (?:its |their )?(?:military |armed )?forces|"
    r"step(?:ped|s|ping)? up (?:its |their )?(?:military )?presence|call(?:ed|ing)? (?:in|into|out)|"
    r"pressed into service|expan(?:d|ded|ding|sion) (?:of )?(?:its |their |the )?(?:peacekeeping |military )?"
    r"(?:force|mission|presence)|establish(?:ed|ing)? (?:an? )?(?:interim |new )?peacekeeping force|"
    r"(?:rushed|moved in|reached the (?:spot|site|area))|"
    # "combat forces have gathered near Ukraine"
    + _AFTER_FORCE + r"(?:have |had |has |are |were )?(?:been )?gather(?:ed|ing)|"
    # "commandos have been posted at the two main entrances"
    r"(?:been|were|was|are|is|be|being) posted(?= (?:at|in|on|along|near|outside|around|to)\b)",
    WITHDRAW: r"withdr(?:aw|ew|awn|awing|awal|aws)|pull(?:ed|ing|s)? (?:[\w,]+ ){0,3}?(?:out|back)|pullout|pull-out|"
    r"retreat(?:ed|ing|s)?|on retreat|"
    r"leav(?:e|es|ing)(?! (?:\w+ ){0,4}?(?:(?:was|were|is|are|had been|has been|have been) )?cancel)"
    r"(?! for\b(?! home\b))|"
    # "Trump ordered U.S. troops out of the area"; troops that fled the battlefield
    r"order(?:ed|s)? (?:[\w.,-]+ ){0,4}?(?:troops|forces|soldiers|marines) out\b|"
    + _AFTER_FORCE + r"fled|"
    # "the troops were removed", "the removal of foreign forces" (not commanders removed from their posts)
    r"(?:(?<=troops )|(?<=forces )|(?<=soldiers )|(?<=marines )|(?<=peacekeepers )|(?<=personnel )|(?<=units ))"
    r"(?:were|was|had been|have been|be|being) "
    r"removed(?! from (?:their |his |her |the )?(?:posts?|office|list|command|rubble))|"
    r"removal of (?:the |its |their |all )?(?:[\w-]+ )?(?:troops|forces|soldiers|personnel)|"
    r"bring(?:ing)? home|brought home|drawdown|draw down|"
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
    r"will be retained|retain(?:s|ed)?|"
    r"maintain(?:s|ed|ing)? (?:a |an |its |their |the )?(?:[\w-]+ )?(?:military |armed )?presence|"
    r"continu(?:e|es|ed|ing) to be (?:deployed|stationed|posted)|"
    r"extend(?:ed|s)? (?:the |its |their )?(?:deployment|mission|presence)|"
    r"(?:further )?extension of (?:the |its |their )?(?:[\w-]+ )?(?:peacekeeping )?(?:force|mission|deployment)",
    REPOSITION: r"reposition(?:s|ed|ing)?|relocat(?:e|ed|es|ing)|redeploy(?:s|ed|ing|ment)?|"
    r"mov(?:e|ed|es|ing) (?:its |their |some |the )?(?:forces|troops|soldiers|personnel|units)|shift(?:ed|ing)? "
    r"(?:forces|troops)|transferr?(?:ed|ing)?|regroup(?:s|ed|ing)?|spread out|"
    r"movements? of (?:[\w.]+ ){0,3}?(?:troops|forces|soldiers|units)|"
    r"(?:mov(?:e|ed|es|ing)|roll(?:ed|ing|s)?|push(?:ed|es|ing)?) (?:further |farther )?"
    r"(?:north|south|east|west|north-?east|north-?west|south-?east|south-?west)(?:wards?)?",
    MOBILIZE: r"mobili[sz](?:e|ed|es|ing|ation)|call(?:ed|ing|s)? up|call-up|reservists|"
    r"(?:state of|general|high|maximum|red) alert|on alert|stay(?:s|ed|ing)? alert|on standby|"
    # readiness raised for war: "raise combat readiness", "on a war footing"
    r"(?:combat|battle|military) readiness|war footing|"
    r"confine(?:d|ment) (?:of (?:[\w,]+ ){1,8}?)?to (?:their |its )?barracks|"
    r"concentrat(?:e|es|ed|ion|ing) (?:of )?(?:its |their )?(?:\w+ )?(?:troops|forces)|"
    r"(?:troops|forces|soldiers|units) (?:were |are |have been )?concentrated (?:along|on|near|at|in)|"
    r"conscript(?:ed|ion|s)?|draft(?:ed|ing)|"
    # "all leave had been cancelled for members of the armed forces": readiness raised
    r"cancel(?:l)?ed (?:all )?(?:military )?leaves?|"
    r"leaves? (?:\w+ ){0,4}?(?:(?:was|were|is|are|had been|has been|have been) )?cancel(?:l)?ed",
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
    r"insurgents|mujahideen|volunteers|conscripts|recruits|detachments?|troopers|"
    # ships and missiles are forces that move too (their movement is counted without a personnel number)
    r"aircraft carriers?|carrier (?:strike )?groups?|submarines|missiles|destroyers|frigates|flotillas?|"
    # South Asia's armed police and paramilitaries, named by their forces' names
    r"jawans|crpf|bsf|srpf|itbp|cisf|rapid action force|(?:state )?reserve police(?: force)?|assam rifles|"
    r"rashtriya rifles|frontier corps|frontier constabulary|"
    r"(?:naval|navy|war|black sea|pacific|atlantic|northern|baltic|mediterranean|sixth|seventh|fifth) fleets?|"
    r"fleets? of (?:\w+ )?(?:warships|ships|vessels|submarines|destroyers|frigates)"
)
_FORCE_RE = re.compile(rf"\b(?:{_FORCE})\b")
#: The same nouns as literal words, for a one-pass pre-filter over the lower-cased article (a word of each: a
#: sentence with "fleet" passes, and ``_FORCE_RE`` then reads "black sea fleet" whole).
_FORCE_WORDS = (
    "troop troops soldier soldiers forces army armies military marine marines paratrooper paratroopers battalion "
    "battalions brigade brigades division divisions regiment regiments peacekeeper peacekeepers peacekeeping "
    "personnel reservists servicemen servicemembers service reinforcements contingent contingents garrison "
    "garrisons trainers commandos special navy warship warships tanks armored armoured national guardsmen unit "
    "units legionnaires infantry artillery gendarmes paramilitary paramilitaries militia militias fighters rebels "
    "militants jihadists insurgents mujahideen volunteers conscripts recruits detachment detachments troopers "
    "aircraft carrier submarines missiles fleet fleets flotilla flotillas destroyers frigates jawans crpf bsf "
    "srpf itbp cisf rapid reserve assam rashtriya frontier"
).split()
_FORCE_CUE = re.compile(r"\b(?:" + trie_pattern(_FORCE_WORDS) + r")\b")
_FORCE_STARTS = LiteralStarts(_FORCE_CUE, _FORCE_WORDS)
#: Force nouns that count people; only these take a personnel number ("56 military observation points" do not).
_PERSONNEL = (
    r"troops?|soldiers?|forces|marines?|paratroopers?|peacekeepers?|personnel|reservists|servicemen|"
    r"servicemembers|service members|reinforcements|trainers|commandos|special forces|guardsmen|legionnaires|"
    r"gendarmes|paramilitaries|militiamen|fighters|rebels|militants|jihadists|insurgents|mujahideen|volunteers|"
    r"conscripts|recruits|members|men|officers|advisers|advisors|instructors|sailors|airmen|troopers|jawans"
)
_PERSONNEL_RE = re.compile(rf"^(?:{_PERSONNEL})$", re.IGNORECASE)
#: Irregular fighters count only when they mobilise or pull back, not when they "arrive" to attack.
_IRREGULAR = re.compile(r"^(?:fighters|rebels|militants|jihadists|insurgents|mujahideen|volunteers|militias?)$",
                        re.IGNORECASE)
