"""Escalation's categories, their intensity, and the listed phrases that name each (a phrase alone proposes
its sentence; without a model file the phrases alone decide)."""

from __future__ import annotations

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
