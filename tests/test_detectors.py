"""Detector behaviour by family: what must be found, and each hard-negative family that must not be."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from monitor import Article, Finding
from monitor.config import parse_config
from monitor.pipeline import build_pipeline
from monitor.plugins import build_plugins

PROJECT_SET = Path(__file__).parent / "eval" / "project.jsonl"


@pytest.fixture(scope="module")
def pipeline():  # type: ignore[no-untyped-def]
    return build_pipeline(build_plugins())


def _run(pipeline, text: str) -> list[Finding]:  # type: ignore[no-untyped-def]
    _, findings = pipeline.run(Article.create(text))
    for f in findings:
        for ev in f.evidence:
            assert text[ev.start:ev.end] == ev.text
    return findings


def _pairs(findings: list[Finding], detector: str, keys: tuple[str, str]) -> set[tuple]:
    return {(f.attributes[keys[0]], f.attributes[keys[1]]) for f in findings if f.detector == detector}


def _families() -> dict[str, list[str]]:
    families: dict[str, list[str]] = {}
    for line in PROJECT_SET.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if not (item["casualties"] or item["deployments"] or item["escalation"]):
            for tag in item["tags"]:
                families.setdefault(tag, []).append(" ".join(item["sentences"]))
    return families


FAMILIES = _families()



def _casualty_candidates(text: str) -> list[Any]:
    """The casualty rules' candidates for a text, before any learned decision."""
    from monitor_plugins.casualties import CasualtiesDetector, CasualtyOptions

    return CasualtiesDetector(CasualtyOptions()).candidates(Article.create(text))


def _rule_readings(text: str) -> dict[tuple, set[str]]:
    """Each candidate pair of a text with the rules that read it ("number", "single", "near", "bare", ...)."""
    return {(c.category, c.count): {h.rule for h in c.hits} for c in _casualty_candidates(text)}

@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_hard_negative_family_raises_nothing(pipeline, family: str) -> None:  # type: ignore[no-untyped-def]
    """Negations, hypotheticals, metaphors, police and aid workers, figures that are not people, historical
    figures, non-violent threats, exercises, restraint and walked-back threats: no finding, except a
    historical figure marked background at low severity (the second edition of the brief labels those)."""
    assert len(FAMILIES[family]) >= 3
    noisy = {text: [f.summary for f in _run(pipeline, text)
                    if not (f.attributes.get("background") and f.severity.rank <= 1)]
             for text in FAMILIES[family]}
    assert {t: s for t, s in noisy.items() if s} == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Gunmen killed at least 14 people and wounded 31.", {("killed", 14), ("injured", 31)}),
        ("Among the dead were four children and a police officer.", {("killed", 4), ("killed", 1)}),
        ("The blasts killed 6 civilians, including 2 women.", {("killed", 6)}),
        ("Militants killed three villagers. By Wednesday the toll had risen to five.", {("killed", 3), ("killed", 5)}),
        ("Floods left twenty-three people dead and dozens missing.", {("killed", 23), ("missing", None)}),
        ("Two suicide bombers blew themselves up, killing one guard.", {("killed", 2), ("killed", 1)}),
        ("Nine rockets hit the base; the index fell 576 points in 2020.", set()),
        ("Farmers said 300 goats were killed by the floods.", set()),
        # A harm predicate that harms no person (general-news pages): animals, orders carried out, titles.
        ("The farmer killed a stray dog that had attacked his sheep, the local paper said.", set()),
        ("Detectives executed a search warrant at the warehouse on Monday evening.", set()),
        ("The console ships with Red Dead Redemption and a racing title.", set()),
        ("Gunmen killed two farmers and their dog near the village.", {("killed", 2)}),
        # A day of the month is no toll; a person before "and" and a figure counts on its own; "passers-by".
        ("The victim, who was shot on March 3, died in hospital on Sunday.", {("killed", 1)}),
        ("A constable and four passers-by were hurt in the grenade attack.", {("injured", 4), ("injured", 1)}),
        ("Four passers-by were hurt when the grenade went off.", {("injured", 4)}),
        ("A soldier and two civilians were killed in the shelling.", {("killed", 2), ("killed", 1)}),
        # a clause before "and" is not a person: one killed, 13 injured, not one more injured
        ("One person was killed and 13 others were injured in the blast.", {("killed", 1), ("injured", 13)}),
        # the one before "and" must open its clause: not the object of another verb
        ("Police arrested a gunman and two officers were wounded in the exchange of fire.", {("injured", 2)}),
        ("The army said a soldier and 4 civilians were killed.", {("killed", 1), ("killed", 4)}),
        # a month before a count of people is no date
        ("Between January and March 12 people were killed in the district.", {("killed", 12)}),
        ("Gunmen killed 3 in drive-by shootings on Monday.", {("killed", 3)}),
        # "May" the month is no modal
        ("The May 5 bombing killed 22 people in the market.", {("killed", 22)}),
        ("Officials said the bombing may have killed 22 people.", set()),
    ],
)
def test_casualty_readings(pipeline, text: str, expected: set[tuple]) -> None:  # type: ignore[no-untyped-def]
    assert _pairs(_run(pipeline, text), "casualties", ("category", "count")) == expected


@pytest.mark.parametrize(
    ("text", "pair"),
    [
        # Harm verbs the pre-filter used to skip, in upper-case wire copy too.
        ("THREE JUDGES AND A CLERK WERE ASSASSINATED IN THE CAPITAL YESTERDAY.", ("killed", 3)),
        ("The group is blamed for the assassination of 12 union leaders.", ("killed", 12)),
        ("Gunmen murdered four shopkeepers at the market.", ("killed", 4)),
        ("Five herders were hacked to death near the river.", ("killed", 5)),
        ("Nine border guards were martyred in the ambush.", ("killed", 9)),
        ("Prosecutors counted 2,310 homicides in the province last year.", ("killed", 2310)),
        ("Activists demanded news after the disappearance of 17 farm workers.", ("missing", 17)),
        # Thousands written with a space.
        ("More than 14 000 people were killed when the dam burst.", ("killed", 14000)),
        # A subject with an aside: a bracket, "including ...", "identified as ...".
        ("One guard died and 11 others, including four cooks, were injured in the fire.", ("injured", 11)),
        ("Three workers of the Municipal Water Board (a body run by the state) were shot dead on Friday.",
         ("killed", 3)),
        ("Two traders, identified as Karim (40) and Nadeem (33), were wounded by a grenade.", ("injured", 2)),
        # A subject far from its predicate.
        ("Four constables of the district reserve force posted at the old bridge checkpoint were killed.",
         ("killed", 4)),
        # One person hurt, said with a noun; one person killed, named by a noun.
        ("A shopkeeper sustained serious injuries in the blast.", ("injured", 1)),
        ("The ministry condemned the murder of the village elder.", ("killed", 1)),
        ("Protesters blamed the police for the death of Mr Okafor.", ("killed", 1)),
        ("The militia claimed the killing of an elderly couple on the farm.", ("killed", 2)),
    ],
)
def test_casualty_candidates_cover_the_uncovered_families(text: str, pair: tuple) -> None:
    """Issue 11: labelled pairs no rule proposed capped recall; each family now has a candidate (the learned
    decision still accepts or rejects it)."""
    assert pair in _rule_readings(text)


@pytest.mark.parametrize(("text", "pair"), [
    # One death in a headline's shorthand (sixteenth round): a person's death without "of", a body found, a fatal
    # act, a double or triple murder; the learned decision weighs each (a crime's single death is often news).
    ("police probe pedestrian death", ("killed", 1)),
    ("Fathers death rules Robbie Keane out of Ireland", ("killed", 1)),
    ("police investigate brisbane triple murder", ("killed", 3)),
    ("The body of a missing hiker was found on Sunday.", ("killed", 1)),
    ("Toddler with rifle fatally shoots father, police say", ("killed", 1)),
    ("police probe kowanyama fatal stabbing", ("killed", 1)),
    # not: a death with no person named, a death toll, a sentence, a body of evidence; and, from a review of the
    # first form, a body of people, an animal's body, a non-fatal shooting, a suspect, a count, time killed
    ("mining death shakes up west coast community", None),
    ("Court upholds the prisoner's death sentence", None),
    ("The body of evidence was found lacking.", None),
    ("An independent body found no evidence of wrongdoing by the minister.", None),
    ("The governing body found that the club had breached financial rules.", None),
    ("The body of a humpback whale washed up on the beach.", None),
    ("Police are investigating a non-fatal shooting in the suburb.", None),
    ("Police named a chief murder suspect.", None),
    ("The official death count rose to 40 on Monday.", None),
    ("Friends killing time at the airport were stranded overnight.", None),
])
def test_one_death_in_headline_shorthand(text: str, pair: tuple | None) -> None:
    readings = {p for p, rules in _rule_readings(text).items() if "headline" in rules}
    assert readings == ({pair} if pair else set())


@pytest.mark.parametrize(("text", "pair", "rule"), [
    # A headline published lower-cased names its people without a capital: the demonyms the lexicon lists read in
    # any case (sixteenth round, ABC News headlines of 2003) ...
    ("12 kashmiris killed as grenade misses target", ("killed", 12), "number"),
    ("5 palestinians wounded in gaza clash", ("injured", 5), "number"),
    ("12 Kashmiris killed as grenade misses target", ("killed", 12), "number"),
    # ... and a plural the lexicon does not list is not read as people for want of a capital (a review of the
    # first form, which read every unlisted plural of an uncased sentence as people)
    ("12 koalas killed in bushfire", ("killed", 12), None),
    ("3 bills killed in senate committee", ("killed", 3), None),
    ("The storm hit the coast on Monday. 40 turtles were found dead on the beach.", ("killed", 40), None),
    ("20 sheep killed by dogs on the farm", ("killed", 20), None),
])
def test_a_lower_cased_headline_names_its_people(text: str, pair: tuple, rule: str | None) -> None:
    readings = _rule_readings(text)
    assert (rule in readings.get(pair, set())) if rule else ("number" not in readings.get(pair, set()))


@pytest.mark.parametrize(
    ("text", "pair", "read"),
    [
        # A figure coordinated after one person, both objects of the harm verb.
        ("Gunmen killed a policeman and two passers-by in Peshawar on Monday.", ("killed", 2), True),
        ("The blast killed a child and three women who were waiting at the stop.", ("killed", 3), True),
        ("Militants wounded a constable and four civilians, police said.", ("injured", 4), True),
        # ... not where the figure has a predicate of its own, or the one is no person.
        ("Troops killed a militant and two of his associates escaped.", ("killed", 2), False),
        ("The storm killed a cow and two goats on the farm.", ("killed", 2), False),
        # A day of the month before a new subject is a date ("On March 4 a man ..."), before its own noun a count.
        ("On March 4 a man and his daughter were injured in the blast.", ("injured", 4), False),
        ("Between January and March 12 people were killed.", ("killed", 12), True),
    ],
)
def test_the_rules_read_a_figure_coordinated_after_one_person(text: str, pair: tuple, read: bool) -> None:
    """Red-team misses of the ninth session: the rules (not only the broad candidates the learned decision scores
    low) read the figure of "killed a policeman and two passers-by"."""
    assert ("number" in _rule_readings(text).get(pair, set())) is read


def test_casualty_attributes_carry_qualifier_range_and_vague_minimum(pipeline) -> None:  # type: ignore[no-untyped-def]
    findings = _run(pipeline, "Between 30 and 40 people were killed and hundreds were injured.")
    by_cat = {f.attributes["category"]: f for f in findings if f.detector == "casualties"}
    reading = {k: v for k, v in by_cat["killed"].attributes.items() if k != "why"}
    assert reading == {"category": "killed", "count": 30, "qualifier": "range", "upper": 40}
    # The learned decision says why it kept the figure: its strongest features, signed.
    assert all(w[0] in "+-" for w in by_cat["killed"].attributes["why"])
    assert by_cat["injured"].attributes["count"] is None
    assert by_cat["injured"].attributes["min_count"] == 100


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Pentagon said it would send about 3,000 additional troops.", {(3000, "deploy")}),
        ("Canada said some of its estimated 500 troops will withdraw to Kuwait.", {(500, "withdraw")}),
        ("Officials said 8,000 reservists had been called up.", {(8000, "mobilize")}),
        ("France said it had no intention of withdrawing its troops.", set()),
        ("Police deployed water cannon against the protesters.", set()),
        ("The minister retracted his threat to send troops to the border.", set()),
        # Issue 11, pairs the rules proposed no candidate for. Counts: a force's stated strength, a date that is
        # not a count, a number owned by the nearer movement, a number whose noun was named earlier, a level.
        ("Poland deployed its 1,500-strong contingent to the eastern border on Friday.", {(1500, "deploy")}),
        ("On 12 March 2023 -- marines deployed along the coast, the navy said.", {(None, "deploy")}),
        ("The government sent 300 soldiers to the north after it pulled out most of its troops from the south.",
         {(300, "deploy"), (None, "withdraw")}),
        ("The first troops arrived in March, and in June the ministry sent another 2,000 to the province.",
         {(2000, "deploy")}),
        ("The alliance will raise its troops in the region to 40,000 next month.", {(40000, "deploy")}),
        ("The federal government sent 800 military police to the port city.", {(800, "deploy")}),
        # Movements worded without the usual verbs.
        ("The army poured thousands of soldiers into the border district overnight.", {(None, "deploy")}),
        ("The government ordered army soldiers and navy marines to guard the oil terminals.", {(None, "deploy")}),
        ("Infantry units took up positions around the airport.", {(None, "deploy")}),
        ("A heavy contingent of paramilitary troopers was rushed to the village after the blast.",
         {(None, "deploy")}),
        ("The government is sending its troops home from the island after ten years.", {(None, "withdraw")}),
        ("Government troops abandoned their positions in the valley.", {(None, "withdraw")}),
        ("The ministry announced a reduction in the number of armed forces in the region.", {(None, "withdraw")}),
        ("The army refused to withdraw its troops from the disputed valley.", {(None, "remain")}),
        ("About 28,000 American troops are stationed in the country.", {(28000, "remain")}),
        ("Washington will keep 2,500 troops in the country.", {(2500, "remain")}),
        ("The army was told to stay alert ahead of the verdict.", {(None, "mobilize")}),
        ("The armoured brigade's soldiers rolled north from the port on Tuesday.", {(None, "reposition")}),
        ("Witnesses reported a large movement of American troops near the airport.", {(None, "reposition")}),
        # ... and what must stay silent: casualties taken to hospital, police, equipment, an order to pull back.
        ("The injured soldiers were rushed to a nearby hospital.", set()),
        ("A heavy contingent of police reached the protest site.", set()),
        ("Heavy artillery was moved to the front.", set()),
        ("The president ordered his troops to withdraw from the town.", {(None, "withdraw")}),
    ],
)
def test_deployment_readings(pipeline, text: str, expected: set[tuple]) -> None:  # type: ignore[no-untyped-def]
    assert _pairs(_run(pipeline, text), "deployments", ("count", "movement")) == expected


@pytest.mark.parametrize(("text", "proposed"), [
    ("Peace would allow for the eventual withdrawal of US troops.", False),
    ("The accord paves the way for a pullout of foreign forces.", False),
    ("The deal would allow 2,000 troops to withdraw from the border.", False),
    # ... but a movement that happened after the way was cleared stays.
    ("Engineers cleared the way and 300 troops moved into the town.", True),
    ("The ceasefire opened the door and 1,000 troops withdrew from the border.", True),
])
def test_a_movement_made_possible_is_not_proposed(text: str, proposed: bool) -> None:
    """The rules, not only the learned decision, pass over a movement that something would allow."""
    from monitor_plugins.deployments import DeploymentOptions, DeploymentsDetector

    assert bool(DeploymentsDetector(DeploymentOptions()).candidates(Article.create(text, title=""))) == proposed


@pytest.mark.parametrize(("text", "found"), [
    ("Pakistan is willing to withdraw its troops from the disputed territory.", False),
    ("The government may send more troops to the province.", False),
    ("The president said he would consider sending more troops to Iraq.", False),
    ("The Czech Republic considers the deployment of military troops in the region.", False),
    # ... but a movement made, or announced as done, stays
    ("Britain sent 500 more troops to Iraq on Monday.", True),
    ("Several other countries announced plans to move forces out of the capital to safer bases.", True),
    ("Britain is expected to send 500 troops to Mali.", False),
    ("The promised reinforcements of 2,000 marines arrived in Kabul on Monday.", True),
    ("The long-planned withdrawal of 5,000 troops began on Monday.", True),
    ("NATO has considerably reinforced its troops in the Baltics.", True),
    ("The army will deploy 3,000 troops to the border next week, the ministry said.", True),
])
def test_a_movement_only_wished_or_possible_is_no_finding(pipeline, text: str, found: bool) -> None:  # type: ignore[no-untyped-def]
    """The brief's wishes, plans under discussion and hypotheticals: the rules propose them (the decision learns
    from them), and the detector drops them whatever their score."""
    from monitor_plugins.deployments import DeploymentOptions, DeploymentsDetector

    assert DeploymentsDetector(DeploymentOptions()).candidates(Article.create(text, title=""))
    assert bool(_pairs(_run(pipeline, text), "deployments", ("count", "movement"))) == found


@pytest.mark.parametrize(("text", "expected"), [
    # Twelfth round: movements said without the verbs the rules knew (ships and missiles move too, uncounted) ...
    ("The defence minister ordered the navy to increase its presence in the strait.", {(None, "deploy")}),
    ("Two aircraft carriers sailed towards the disputed islands on Monday.", {(None, "deploy")}),
    ("The country has deployed anti-ship missiles along its northern coast.", {(None, "deploy")}),
    ("Marines went in after the embassy compound was stormed.", {(None, "deploy")}),
    ("The peacekeepers were removed from the buffer zone last week.", {(None, "withdraw")}),
    ("All leave has been cancelled for soldiers in the border region.", {(None, "mobilize")}),
    ("The army will maintain a presence in the valley until the vote.", {(None, "remain")}),
    # (read by the rules; since the sixteenth session's models the decision scores it 0.42, under the threshold
    # of 0.46, so it moved here from the pipeline readings)
    ("The Security Council approved a six-month extension of the peacekeeping force.", {(None, "remain")}),
    # ... armed forces named beside the police, whose deployment alone says nothing ...
    ("About 2,000 personnel of the rapid action force and the state police have been deployed in the city.",
     {(2000, "deploy")}),
    # ... and what is no movement of forces: people evacuated by them, a forbidden deployment, a number that
    # counts places ("two villages ... from rebel fighters").
    ("Soldiers were called in to evacuate residents from the flooded district.", {(None, "deploy")}),
    ("The constitution bars its armed forces from being deployed abroad.", set()),
    ("The army retook two villages in the hills from rebel fighters who withdrew overnight.", {(None, "withdraw")}),
    # Forces placed somewhere in a report of an attack on them: where they were, not a movement.
    ("Militants fired on BSF troops deployed on duty near the border post, injuring two.", set()),
    ("A team of security force personnel who were deployed on a helipad was ambushed by Maoists.", set()),
    ("Two jawans of the 19th battalion deployed at the outpost were killed in the attack.", set()),
    ("Troops deployed in the city on Friday after the riots.", {(None, "deploy")}),
    # What the new phrases must not read (a review of the change): a purpose or a ban that does not govern the
    # movement, troops that evacuate a place, other things removed or gone into, a bank's presence, a fleet of
    # airliners, missiles delivered, ships at an exercise; and what they must (ships arriving, forms of "leave
    # cancelled", a count before a hyphenated word).
    ("To prevent further violence, authorities deployed 1,000 soldiers in the city.", {(1000, "deploy")}),
    ("Despite a ban on rallies, the army deployed 5,000 troops in the capital.", {(5000, "deploy")}),
    ("Government troops evacuated the provincial capital overnight.", {(None, "withdraw")}),
    ("The army evacuated its troops from the island.", {(None, "withdraw")}),
    ("The military agreement went into effect on Monday.", set()),
    ("Several military commanders were removed from their posts.", set()),
    ("The bodies of the soldiers were removed from the rubble.", set()),
    ("The bank will maintain a strong presence in Moscow despite the military campaign.", set()),
    ("The airline sent its fleet of airliners to Spain for maintenance.", set()),
    ("The United States will send air-defence missiles to its ally.", set()),
    ("The navy sent two frigates to take part in joint exercises in the Baltic.", set()),
    ("Two aircraft carriers arrived in the Gulf on Sunday.", {(None, "deploy")}),
    ("Leave for all army personnel is cancelled until further notice.", {(None, "mobilize")}),
    ("About 2,000 on-duty soldiers were deployed in the city.", {(2000, "deploy")}),
    # South Asia's armed police and paramilitaries by name, and "posted" (not of a man attacked where he served).
    ("Fifty CRPF jawans were rushed to the village after the blast.", {(50, "deploy")}),
    ("The state was sending two companies of the state reserve police to the district.", {(None, "deploy")}),
    ("Armed commandos have been posted at the two main entrances of the complex.", {(None, "deploy")}),
    ("He was posted at the army camp and had come home when militants targeted him.", set()),
    # Sixteenth round (headlines): troops massed at a border were moved there, as the labels read it, not mobilised;
    # forces that "enter" a country in a headline's present tense; not masses of people, nor a mass of anything.
    ("Ukraine says Russia amassed over 94,000 troops at border", {(94000, "deploy")}),
    ("As Russia masses its troops near the border, talks stall", {(None, "deploy")}),
    ("Iraqi troops massed near the Kurdish towns overnight.", {(None, "deploy")}),
    ("Russian Troops Enter Belarus, Escalating Threat of Kyiv Encirclement", {(None, "deploy")}),
    ("Protesters massed outside the parliament as soldiers watched.", set()),
    ("The army said it would enter talks with the rebels next week.", set()),
    # (from a review: "mass" as a noun, people massed before soldiers, troops entering a day or a final)
    ("A mass desertion of 300 soldiers was reported.", set()),
    ("The priest celebrated Mass with 300 troops at the base.", set()),
    ("Thousands of protesters massed in front of soldiers guarding the palace.", set()),
    ("Indian troops enter second day of exercises", set()),
    ("Soldiers enter the final of the army rugby cup", set()),
    # Seventeenth round, from the development split's uncovered movements: an abbreviation's point ends no clause
    # ("U.S. troops" was read apart from its verb); leaving for a place is going there; a build-up said in two
    # words; troops "to enter"; ordered out; gathered; combat readiness raised; a threat named as a noun does not
    # make the movement beside it a threatened one (a threat to move still does).
    ("Trump sent U.S. troops to Syria.", {(None, "deploy")}),
    ("Trump ordered U.S. troops out of the area.", {(None, "withdraw")}),
    ("Gen. Smith sent 400 troops to Basra.", {(400, "deploy")}),
    ("raaf contingent to leave for iraq", {(None, "deploy")}),
    ("The troops will leave for home next week.", {(None, "withdraw")}),
    ("us continues military build up in gulf", {(None, "deploy")}),
    ("turkish troops to enter n iraq", {(None, "deploy")}),
    ("Russian combat forces have gathered near Ukraine in the last 24 hours", {(None, "deploy")}),
    ("Russian-controlled forces in Donbass raise combat readiness", {(None, "mobilize")}),
    ("NATO formally declares China a 'threat', boosts troops fearing Russian expansion", {(None, "deploy")}),
    ("Iran threatened to send troops to the border.", set()),
    ("The threat of a withdrawal of US troops hangs over the talks.", set()),
])
def test_deployment_rule_readings(text: str, expected: set[tuple]) -> None:
    """What the rules propose, before the learned decision weighs it."""
    from monitor_plugins.deployments import DeploymentOptions, DeploymentsDetector

    candidates = DeploymentsDetector(DeploymentOptions()).candidates(Article.create(text, title=""))
    assert {(c.count, c.movement) for c in candidates} == expected


@pytest.mark.parametrize("forms", [
    ("Russia threatens to strike Kyiv", "Russia threatened to strike Kyiv.", "Russia is threatening to strike Kyiv."),
    ("N Korea warns of nuclear strike", "North Korea warned of nuclear strikes on Monday."),
])
def test_escalation_cue_forms_share_their_stem(forms: tuple[str, ...]) -> None:
    """A headline's present ("threatens") and the wire's past ("threatened") weigh one stem feature as well as
    their own: the twentieth session's headline misses (README)."""
    from monitor_plugins.escalation import EscalationDetector, EscalationOptions

    stems = []
    for text in forms:
        candidates = EscalationDetector(EscalationOptions()).candidates(Article.create(text, title=""))
        assert candidates, text
        stems.append({k for k in candidates[0].features if k.startswith(("e:~", "a2:~"))})
    assert stems[0] and all(s == stems[0] for s in stems), stems


def _all_vetoed(text: str) -> bool:
    """Whether the escalation rules propose the sentence and veto every candidate they propose in it."""
    from monitor_plugins.escalation import EscalationDetector, EscalationOptions
    from monitor_plugins.escalation.decision import _vetoed

    candidates = EscalationDetector(EscalationOptions()).candidates(Article.create(text, title=""))
    assert candidates, text
    return all(_vetoed(text[c.start:c.end], c) for c in candidates)


@pytest.mark.parametrize(("text", "vetoed"), [
    # A private person's threat against kin: not an armed actor's (LABELLING.md), whatever the words.
    ("They found her hiding in a basket where he forced her while threatening to kill her parents.", True),
    ("The man threatened to shoot his ex-wife and their children.", True),
    # ... but an armed group threatening a family is an armed actor's threat, named or not, and kin named
    # elsewhere in the sentence are not the threatened.
    ("The militants threatened to kill his parents unless he quit the police.", False),
    ("Boko Haram threatened to kill their parents if the girls went back to school.", False),
    ("Islamic State threatened to behead the hostages and their relatives.", False),
    ("Kim Jong Un, invoking his grandfather, threatened to fire nuclear missiles at Guam.", False),
])
def test_a_private_threat_against_kin_is_vetoed(text: str, vetoed: bool) -> None:
    assert _all_vetoed(text) == vetoed


@pytest.mark.parametrize(("text", "vetoed"), [
    # A warning of unnamed consequences as the sentence's only threat is none (sixteenth session) ...
    ('Jordanian Foreign Minister Ayman Safadi warned of "dangerous consequences".', True),
    ("Trudeau warns of 'severe consequences' for protesters who don't stand down", True),
    # ... but a threat beside it, an armed group's warning, or force in the sentence stays with the decision (a
    # review of a wider first form, which vetoed these)
    ("Pyongyang threatened to annihilate Guam, warning of unimaginable consequences.", False),
    ("Iran's leader threatened to wipe Israel off the map and warned of dire consequences.", False),
    ("Hamas warned Israel of dire consequences if it stormed the compound.", False),
    ("Maoists pasted posters and warned the contractor of dire consequences if the road works were not stalled.",
     False),
])
def test_a_warning_of_unnamed_consequences_alone_is_vetoed(text: str, vetoed: bool) -> None:
    assert _all_vetoed(text) == vetoed


@pytest.mark.parametrize(("text", "vetoed"), [
    ("The man pleaded guilty to threatening to assault and murder a U.S. senator.", True),
    ("A former soldier was charged with making threats to kill the governor.", True),
    # The charge stands in a side clause; the armed group's threat is the main one.
    ("The rebel commander, indicted for threatening civilians, warned his fighters would shell the city.", False),
    ("The junta, whose leader was charged with threatening judges, said its troops would attack the rebels.", False),
    # ... or told after it, as headlines tell it
    ("QAnon Believer Who Threatened To Shoot A Senator Sentenced To Prison.", True),
    ("Man who threatened to kill two congresswomen pleads guilty to federal charges", True),
    ("Rebels who threatened to attack the capital said on Monday they would march on the city.", False),
    ("Hezbollah, who threatened to strike Israel if any of its fighters were arrested, moved rockets to the border.",
     False),
])
def test_a_threat_tried_in_court_is_vetoed_only_in_its_own_clause(text: str, vetoed: bool) -> None:
    assert _all_vetoed(text) == vetoed


@pytest.mark.parametrize(("text", "vetoed"), [
    # Talks, truces and agreements beside a threat are the decision's to weigh, not a veto.
    ("The Taliban rejected an offer of a ceasefire and said they would persist with their attacks.", False),
    ("The rebels said they would join the talks but would continue their armed struggle in the meantime.", False),
    # A threat taken back is none, whatever the score.
    ("The president walked back his threat to bomb cultural sites.", True),
    ("The minister ruled out military action and said the troops would not attack.", True),
    # An armed strike is a strike under threat of death; a union's strike is not force.
    ('The Maoists called for an "armed strike" in the capital tomorrow and warned they would kill violators.', False),
    ("The union threatened to strike over pay.", True),
    # ... nor is one aimed at a target, one from a place on another, or one called under threat of death
    ("The militants' leader called on his fighters to strike Gulf oil supplies.", False),
    ("In the event of a strike from the enclave on the capital, we will respond with a blow.", False),
    ('The guerrillas called for an "armed stoppage", a strike under threat of death, in the capital tomorrow.', False),
    ("The union threatened to strike Monday over pay.", True),
    ("The pilots threatened to strike Lufthansa flights over Easter.", True),
    # A private person's threat in its own clause is a crime, not an actor's threat of force; a pronoun is not
    # enough to say so, and armed men in the sentence keep it.
    ("A man threatened to shoot the cashier during the robbery, police said.", True),
    ("A 17-year-old student threatened to bomb his school.", True),
    ("He warned that his fighters would attack the city.", False),
    ("A militant commander threatened to attack the city.", False),
    # Force words aimed at a game, a rally or prices are idioms.
    ("The striker threatened to kill the game off in the second half.", True),
    ("The central bank vowed to crush inflation before the election.", True),
    ("Rebels threatened to kill the hostages unless the army withdrew.", False),
    # A programme or a treaty "killed" is politics; a non-violent threat made "in retaliation" names no force
    # (the expulsion is the retaliation), a strike made in retaliation does.
    ("Trump threatened to kill the Iran nuclear agreement.", True),
    ("Russia threatened to expel diplomats in retaliation.", True),
    ("Iran threatened to strike US bases in retaliation.", False),
    # ... but not a weapons programme, a threat made "in a bid to" or "if the deal collapses", nor one whose
    # retaliation answers a non-violent cause
    ("Israel threatened to attack the Iranian nuclear program.", False),
    ("The militants threatened to attack in a bid to free their leader.", False),
    ("Rebels threatened to attack if the deal collapses.", False),
    ("North Korea threatened to hit US bases in retaliation for the sanctions.", False),
    # An armed outfit's warning to a woman and her husband is not a private person's threat.
    ("The outfits' publicity officer said the bomb was planted as a first warning to her and her husband.", False),
])
def test_only_walk_backs_and_non_violent_threats_are_vetoed(text: str, vetoed: bool) -> None:
    assert _all_vetoed(text) == vetoed


@pytest.mark.parametrize(("text", "named"), [
    ("The hijackers threatened to blow it up unless they were taken to London.", True),
    ("When she pleaded with the commanders, they threatened to execute her by firing squad.", True),
    # shelling, murder, gunfire and fire are force too, quoted or not
    ("The rebels threatened to shell the government bases in the province.", True),
    ("The cartel threatened to murder ten judges for each man extradited.", True),
    ("The regime had threatened to “set fire to what they love.”", True),
    ("Troops threatened to open fire on the marchers.", True),
    ("The farmers threatened to burn their crops in protest.", False),
    ("A man threatened to set fire to his neighbour's car.", False),
    ("Iraq said it reserved the right to retaliate for the deployment of Iranian troops.", True),
    ("The president is ready to use military force to protect the tankers.", True),
    ("The general said he was ready to attack terrorist bases anywhere in the world.", True),
    ("The union said it was ready to strike for job guarantees.", False),
    ("The group's leader called on supporters to take up arms against the government.", True),
    ("An audio tape calls for attacks on U.S. and British interests everywhere.", True),
    ("The presidents called for new efforts to fight poverty and hunger.", False),
    ("The UN called on both sides to stop the attacks and return to talks.", False),
    # a declaration of war on a state or an armed actor is named; one on a rival, a disease or a habit is an idiom
    ("Parliament voted to declare war on the neighbouring state.", True),
    ("The president declared war on the drug cartels and vowed to crush them.", True),
    ("The state government declares war against plastic.", False),
    ("The prime minister declared war on bird flu.", False),
    ("The opposition leader declared war on the ruling party.", False),
    ("Al-Shabaab declared war on Kenya.", True),
    ("Sudan declares war on South Sudan", True),
    ("ISIS declares war on Christians.", True),
    ("Duterte declared war on drugs across the country.", False),
    ("The governor declared war on state corruption.", False),
    # an alert raised is named; forces that remained on alert are the model's to weigh
    ("The army was put on high alert after the border clash.", True),
    ("Indian troops remained on alert on Wednesday for riots.", False),
    ("Washington said it was prepared to retaliate if the tax on vegetable oils is introduced.", False),
    ("Insects are threatening to destroy a third of the rice crop.", False),
    # a private person's threat, or one that is the charge in a court case, is no threat of force
    ("A man threatened to shoot the cashier during the robbery.", False),
    ("A New York man pleaded guilty Monday to threatening to kill a congresswoman.", False),
    ("A man pleaded guilty to charges he threatened to kill Rep. Ilhan OmarIlhan Omar | Louisiana attack", False),
])
def test_threats_of_force_named_outright(text: str, named: bool) -> None:
    from monitor_plugins.escalation.decision import _named_outright

    assert _named_outright(text) == named


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ('"We will wage a war against the occupiers," the commander said.', "war"),
        ("They gave the government 48 hours to hand back the island or face all necessary measures.", "ultimatum"),
        ("The militia vowed to avenge the deaths of its fighters.", "retaliation"),
        ("Units along the border were put on high alert.", "mobilization"),
        ('Crowds chanted "death to the invaders".', "hostile_rhetoric"),
        ("The union threatened to strike over pay.", None),
        ("The country threatened sanctions and recalled its ambassador.", None),
        ("The navies held joint exercises involving 15 warships.", None),
        ("The president walked back his threat to bomb cultural sites.", None),
        ("The UN urged restraint and called on both sides not to retaliate.", None),
        ("The lawyers threatened the publisher with the testimony of two former editors.", None),
        ("The commander said the regime had been placed on the highest state of alert.", None),
        ("The army was placed on the highest state of alert after the border clash.", "mobilization"),
        # A threat tried in court is a crime reported, not an actor's threat of force.
        ("The man pleaded guilty to threatening to assault and murder a U.S. senator.", None),
        ("A former soldier was charged with making threats to kill the governor.", None),
    ],
)
def test_escalation_readings(pipeline, text: str, category: str | None) -> None:  # type: ignore[no-untyped-def]
    found = [f.attributes["category"] for f in _run(pipeline, text) if f.detector == "escalation"]
    assert found == ([category] if category else [])



@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        # A violent verb as the speech act's complement, in the same clause: its tense and who speaks.
        ("The rebels threatened to attack the airport.", {"k:link", "k:comp=inf", "k:dist=1-2", "k:spk=armed"},
         {"k:nolink", "k:comp_nonviolent"}),
        ("The minister warned that the army would strike the border posts.",
         {"k:link", "k:comp=fut", "k:dist=3-6", "k:spk=state", "k:fut_violent"}, {"k:comp_nonviolent"}),
        ("A neighbour threatened to kill him.", {"k:link", "k:spk=private"}, set()),
        # A non-violent complement: a labour strike, sanctions.
        ("The union threatened to strike over pay.", {"k:comp_nonviolent"}, set()),
        ("The country threatened sanctions on the exporters.", {"k:comp_nonviolent", "k:nolink"}, set()),
        # The violence is a past event, or stands across a clause boundary from the act.
        ("Troops attacked the town, the officials warned.", {"k:nolink", "k:vform=past"}, {"k:link"}),
        ("He warned, after gunmen attacked the village, that more would follow.", {"k:nolink"}, {"k:link"}),
        ("The commander warned that the villages which had been shelled would be rebuilt.", {"k:nolink"},
         {"k:link"}),
        # A future under a condition; a future without a speech act; a question.
        ("The group warned it would burn the town unless its leader was freed.",
         {"k:link", "k:comp=fut", "k:cond_future", "k:fut_violent"}, set()),
        ("The general said the enemy's bases would burn.", {"k:nolink", "k:fut_violent", "k:vform=fut"}, set()),
        ("Would they attack the capital?", {"k:question", "k:fut_violent"}, set()),
        # A quoted threat keeps its future: the quotation marks do not stand between the modal and the verb.
        ("Trump warned he would “totally destroy” North Korea.", {"k:link", "k:comp=fut", "k:fut_violent"},
         {"k:comp=bare"}),
        ("Trump warned he would ‘totally destroy’ North Korea.", {"k:link", "k:comp=fut", "k:fut_violent"},
         {"k:comp=bare"}),
        ("The commander warned that they would 'crush' any attack.", {"k:link", "k:comp=fut"}, {"k:comp=bare"}),
    ],
)
def test_escalation_clause_structure(text: str, present: set[str], absent: set[str]) -> None:
    from monitor_plugins.escalation.cues import _SPEECH_ACT, _VIOLENT
    from monitor_plugins.escalation.features import _clause

    feats = _clause(text, list(_SPEECH_ACT.finditer(text)), list(_VIOLENT.finditer(text)))
    assert present <= feats.keys()
    assert not absent & feats.keys()


def test_severity_follows_the_written_policy(pipeline) -> None:  # type: ignore[no-untyped-def]
    def severity(text: str, detector: str) -> str:
        return next(f.severity.value for f in _run(pipeline, text) if f.detector == detector)

    assert severity("At least 120 people were killed.", "casualties") == "critical"
    assert severity("Twelve people were killed.", "casualties") == "high"
    assert severity("Two people were killed.", "casualties") == "medium"
    assert severity("Two people were injured.", "casualties") == "low"
    assert severity("Parliament voted to declare war on its neighbour.", "escalation") == "critical"
    assert severity("Troops were put on high alert.", "escalation") == "medium"


def test_options_min_count_extra_words_and_phrases() -> None:
    config = parse_config(
        '[detectors.casualties]\nmin_count = 10\nextra_killed = ["martyred"]\n'
        '[detectors.escalation]\nextra_phrases = { "scorched earth" = "threat" }\n'
        '[detectors.deployments]\nenabled = false\n'
    )
    pipeline = build_pipeline(build_plugins(), config)
    assert "deployments" not in {d.name for d in pipeline.detectors}
    text = "Fifteen fighters were martyred and two others were wounded. The general promised scorched earth."
    findings = _run(pipeline, text)
    assert _pairs(findings, "casualties", ("category", "count")) == {("killed", 15)}
    assert [f.attributes["category"] for f in findings if f.detector == "escalation"] == ["threat"]


def test_min_severity_drops_lower_findings() -> None:
    pipeline = build_pipeline(build_plugins(), parse_config('[detectors.casualties]\nmin_severity = "high"\n'))
    findings = _run(pipeline, "Twelve people were killed and two were injured.")
    assert _pairs(findings, "casualties", ("category", "count")) == {("killed", 12)}


def test_background_figures_are_low_and_stay_off_default_routes(pipeline) -> None:  # type: ignore[no-untyped-def]
    from monitor.alerts.routing import Route
    from monitor.config import RouteConfig

    text = "Two soldiers were killed on Monday. The insurgency has cost 90,000 lives since 1990."
    article = Article.create(text)
    findings = [f for f in _run(pipeline, text) if f.detector == "casualties"]
    news = [f for f in findings if not f.attributes.get("background")]
    assert {(f.attributes["category"], f.attributes["count"]) for f in news} == {("killed", 2)}
    default = Route.from_config(0, RouteConfig(sinks=["console"]))
    history = Route.from_config(1, RouteConfig(sinks=["console"], background=True))
    marked = Finding("casualties", "low", 0.9, "90,000 killed", attributes={"category": "killed", "count": 90000,
                                                                             "background": True})
    assert not default.matches(article, marked) and history.matches(article, marked)
    assert all(default.matches(article, f) for f in news)
    assert all(f.severity.rank <= 1 for f in findings if f.attributes.get("background"))


@pytest.mark.parametrize(("text", "background"), [
    ("The Soviet Union sent 100,000 troops into Afghanistan in 1979, starting a decade-long war.", True),
    ("Fifty years ago the army deployed 3,000 soldiers to the border region, a veteran recalled.", True),
    ("The museum tells how 5,000 troops were sent to the island during World War II.", True),
    ("The army deployed 3,000 soldiers to the border region on Tuesday, officials said.", False),
    # forces posted for an anniversary are news, though a toll beside one is history
    ("Police and 2,000 soldiers were deployed in the capital ahead of the anniversary of the uprising.", False),
])
def test_deployments_of_history_are_background(pipeline, text: str, background: bool) -> None:  # type: ignore[no-untyped-def]
    from monitor.alerts.routing import Route
    from monitor.config import RouteConfig

    found = [f for f in _run(pipeline, text) if f.detector == "deployments"]
    assert found, text
    assert all(bool(f.attributes.get("background")) is background for f in found)
    default = Route.from_config(0, RouteConfig(sinks=["console"]))
    for f in found:
        assert (f.severity.rank <= 1) if background else True
        assert default.matches(Article.create(text), f) is not background


def test_a_count_read_without_a_number_is_stated_as_its_count() -> None:
    """"a couple" is read as 2: the summary says 2, not the "one" of a bare predicate."""
    from monitor_plugins.casualties import CasualtiesDetector, CasualtyOptions

    detector = CasualtiesDetector(CasualtyOptions())
    article = Article.create("The militia claimed the killing of an elderly couple on the farm.")
    summaries = {f.attributes["count"]: f.summary for f in detector.detect(article)}
    assert summaries[2] == "2 killed"


@pytest.mark.parametrize(
    ("text", "movement", "present"),
    [
        # The movement's own form: done, announced, planned or wished, asked for, decided, a noun.
        ("The army sent 400 soldiers to the valley.", "deploy", {"t:form=past", "t:dist=0", "deploy|t:form=past"}),
        ("Soldiers were deployed along the river on Monday.", "deploy", {"t:form=passive", "t:dist=1-3"}),
        ("The country has withdrawn its forces from the island.", "withdraw", {"t:form=perfect", "t:dist=1-3"}),
        ("The government will send 500 troops to the port.", "deploy", {"t:form=future"}),
        ("The ministry plans to send troops to the coast someday.", "deploy", {"t:form=wish", "t:dist=0"}),
        ("The governor is keen to pull out the marines.", "withdraw", {"t:form=wish"}),
        ("The mayor asked the army to deploy soldiers in the old town.", "deploy", {"t:form=asked"}),
        ("The cabinet decided to withdraw its soldiers from the hills.", "withdraw", {"t:form=decided"}),
        ("The navy may send marines to the gulf next month.", "deploy", {"t:form=modal"}),
        ("Villagers protested against the deployment of soldiers near the dam.", "deploy", {"t:form=noun"}),
        # How far the force noun stands from its movement word.
        ("The soldiers, tired after a long week in the mountains with little food, finally withdrew.", "withdraw",
         {"t:dist=9+"}),
    ],
)
def test_deployment_movement_structure(text: str, movement: str, present: set[str]) -> None:
    from monitor_plugins.deployments import DeploymentOptions, DeploymentsDetector

    candidates = DeploymentsDetector(DeploymentOptions()).candidates(Article.create(text))
    feats = next(c.features for c in candidates if c.movement == movement)
    assert present <= feats.keys(), sorted(k for k in feats if k.startswith("t:"))
    assert len([k for k in feats if k.startswith("t:form=")]) == 1


@pytest.mark.parametrize(("published", "year"), [("2019-11-13", 2019), ("2019-11-13T08:00:00+00:00", 2019),
                                                 (None, None), ("", None), ("yesterday", None), ("13/11/2019", None)])
def test_published_year(published: str | None, year: int | None) -> None:
    from monitor.text import published_year

    assert published_year(published) == year


@pytest.mark.parametrize(("text", "published", "before"), [
    ("The last outbreak was in 2009, when several people died.", "2019-11-13", True),
    ("In 2009, several people died in the town.", "2019-11-13", True),
    ("Troops were sent in March 2003 to the border.", "2019-11-13", True),
    ("About 40 people died in 2009 in a similar outbreak.", "2019-11-13", True),
    ("The last outbreak was in 2009, when several people died.", "2009-06-01", False),  # 2009's news in 2009
    ("The last outbreak was in 2009, when several people died.", None, False),  # no date: no reading
    ("Three people died in a 2009 model car.", "2019-11-13", False),  # a year, not a time
    # The year must date the figure itself, not something else in the sentence ...
    ("Gunmen killed 12 people in the worst attack there since 2015, police said.", "2019-11-13", False),
    ("The militants, who have fought the government in 2011, killed 12 soldiers in the ambush.", "2019-11-13",
     False),
    ("Gunmen killed 12 people in Kano state, police said, adding that the group was founded in 2002.",
     "2019-11-13", False),
    ("The war has killed 400,000 people since 2011.", "2019-11-13", False),  # a running toll, not history
    # ... and a time of days, a date or a future keeps it news.
    ("In 2015, the army said, and on Sunday gunmen killed 30 villagers.", "2019-11-13", False),
    ("Gunmen killed 12 people in Kano on November 16, the deadliest attack since 2015.", "2019-11-13", False),
    ("Under the deal signed in 2016, 5,000 US troops will withdraw from the country.", "2019-11-13", False),
    ("In December 2018, 40 people were killed in an attack on a market.", "2019-01-04", False),  # last year
    ("An additional force of 2000 troops was sent to the border.", "2019-11-13", False),
    ("By 2010 the war had killed 4,000 people.", "2019-11-13", False),
])
def test_a_year_well_before_the_articles_own_dates_its_figure_as_history(text: str, published: str | None,
                                                                        before: bool) -> None:
    from monitor.text import is_before, published_year

    figure = next(w for w in ("several people died", "people died", "died", "killed", "sent", "withdraw")
                  if w in text)
    start = text.index(figure)
    assert is_before(text, start, start + len(figure), published_year(published)) == before


@pytest.mark.parametrize(("text", "published", "before"), [
    ("In May this year, an outbreak of plague killed a couple in Mongolia.", "2019-11-18", True),
    ("Back in December last year, 40 people were killed in an attack on a market.", "2019-03-04", True),
    ("In early August this year, troops were sent to the border.", "2019-11-18", True),
    # within two months of the article, or later than it, it may be the news
    ("In October this year, 40 people were killed in an attack on a market.", "2019-11-18", False),
    ("In December last year, 40 people were killed in an attack on a market.", "2019-01-04", False),
    ("In December this year, troops were sent to the border.", "2019-11-18", False),
    # the rest of the sentence keeps it news, or the month does not open it
    ("In May this year, the outbreak began, and on Tuesday two more people died.", "2019-11-18", False),
    ("Two people died in the outbreak that began in May this year.", "2019-11-18", False),
    # a later clause with its own time, or a toll still running, is today's news (found in review)
    ("In April this year, forces launched an offensive on Tripoli, and air strikes killed 11 civilians.",
     "2019-11-18", False),
    ("In May this year, militiamen overran the town, where gunmen killed 12 villagers over the weekend.",
     "2019-11-18", False),
    ("In May this year, 12 people were killed in clashes, and the toll has since risen to 40.", "2019-11-18",
     False),
    ("In July this year, an Ebola outbreak reached Goma and it has so far killed more than 2,100 people.",
     "2019-11-18", False),
    ("In June this year, Washington sent 1,000 troops to Poland and 300 more were sent at the weekend.",
     "2019-11-18", False),
    ("In May this year, gunmen killed 12 villagers in the town they attacked again on Nov. 16.", "2019-11-18",
     False),
    ("In May this year, gunmen killed 12 villagers in the town they attacked.", "2019-11-18", True),
    # no month of the article's date: no reading
    ("In May this year, an outbreak of plague killed a couple in Mongolia.", None, False),
])
def test_a_month_well_before_the_articles_own_opening_the_sentence_dates_its_figure(
        text: str, published: str | None, before: bool) -> None:
    from monitor.text import is_before, published_month, published_year

    figure = next(w for w in ("people died", "killed", "sent") if w in text)
    start = text.index(figure)
    assert is_before(text, start, start + len(figure), published_year(published),
                     published_month(published)) == before


def test_a_figure_dated_months_before_the_article_is_background(pipeline) -> None:  # type: ignore[no-untyped-def]
    text = "In May this year, an outbreak of bubonic plague killed two herders in Mongolia."
    _, old = pipeline.run(Article.create(text, published="2019-11-18"))
    _, fresh = pipeline.run(Article.create(text, published="2019-05-20"))
    killed = [f for f in old if f.detector == "casualties"]
    assert killed and all(f.attributes.get("background") and str(f.severity) == "low" for f in killed)
    assert any(not f.attributes.get("background") for f in fresh if f.detector == "casualties")


@pytest.mark.parametrize(("text", "detector"), [
    ("The last major outbreak in the province was in 2009, when several people died in the town.", "casualties"),
    ("In 2014, Russia sent 10,000 troops into Crimea.", "deployments"),
])
def test_a_dated_past_figure_is_background_beside_the_articles_date(pipeline, text: str,  # type: ignore[no-untyped-def]
                                                                     detector: str) -> None:
    """"in 2009" in a 2019 article is history (background: low, no default route); the rules read the
    20th century alone, since without the article's date "in 2009" may be the news."""
    _, dated = pipeline.run(Article.create(text, published="2019-11-13"))
    found = [f for f in dated if f.detector == detector]
    assert found and all(f.attributes.get("background") for f in found)
    assert all(str(f.severity) == "low" for f in found)
    _, same_year = pipeline.run(Article.create(text, published="2009-06-01" if "2009" in text else "2014-03-01"))
    assert any(not f.attributes.get("background") for f in same_year if f.detector == detector)


@pytest.mark.parametrize(("text", "summary"), [
    ("By 2030 some 500 troops will remain in the country.", "Remain: 500 personnel"),
    ("Since 2003 about 150 soldiers have stayed at the base.", "Remain: 150 personnel"),
    # a year-like count with its force noun right after it is a count
    ("The government sent in 2000 troops to the border.", "Deploy: 2,000 personnel"),
    ("An additional force of 2000 troops was sent to Poland.", "Deploy: 2,000 personnel"),
])
def test_a_year_is_not_a_personnel_count(pipeline, text: str, summary: str) -> None:  # type: ignore[no-untyped-def]
    assert [f.summary for f in _run(pipeline, text) if f.detector == "deployments"] == [summary]


@pytest.mark.parametrize(("text", "injured"), [
    # A patient taken to hospital in an article about a disease is ill, not a casualty (LABELLING.md).
    ("A case of bubonic plague was confirmed in the region. The man was hospitalized in the county of Huade, "
     "the news agency said.", False),
    ("The outbreak has spread to three villages. Two children were taken to hospital on Monday.", False),
    # ... but a harm in the sentence makes the hospital a casualty's, disease or not.
    ("The outbreak has spread to three villages. Two guards were hospitalized after the blast at the clinic.", True),
    # Force anywhere in the article keeps the figure: the patient may be the attack's.
    ("A video of the rally went viral. A rocket hit a school and 15 children were hospitalized.", True),
    ("Gunmen attacked an Ebola treatment centre. Five others were taken to hospital.", True),
    ("Chlorine was dropped on the town. 70 people were hospitalized with symptoms of poisoning.", True),
    ("An airstrike hit the building. Medics said 20 people were hospitalized. The city also faces a measles "
     "outbreak.", True),
    # ... and without a disease, being hospitalized is read as before.
    ("Two protesters were hospitalized after the march, police said.", True),
])
def test_care_in_a_disease_story_is_not_an_injury(pipeline, text: str, injured: bool) -> None:  # type: ignore[no-untyped-def]
    found = [f for f in _run(pipeline, text) if f.detector == "casualties" and f.attributes["category"] == "injured"]
    assert bool(found) == injured


@pytest.mark.parametrize(("text", "link"), [
    ("DON'T MISS\nHong Kong 'threatened with Chinese military intervention'\xa0[REACTION]\nMore text.", True),
    ("DON'T MISS\nChina furious at Macron for Hong Kong protest jibe\xa0[INSIGHT]|\nLakers vs Nets: NBA make final "
     "decision\xa0[VIDEO]\nHong Kong 'threatened with Chinese military intervention'\xa0[REACTION]", True),
    ("Read more: Two killed as troops open fire on protesters", True),
    ("Story text.\nREAD MORE: China plague outbreak confirmed: Two diagnosed with disease in Beijing\n", True),
    # the story's own text: a sentence, a label glued to one, a tagged sentence, a headline within a paragraph
    ("The army threatened to open fire on the marchers.", False),
    ("Read more: Iraq protests Security forces killed 12 protesters in Baghdad on Monday.", False),
    ("Two soldiers were killed in a rocket attack near Kirkuk, the army said [VIDEO]", False),
    ("Police said two men died. Hong Kong braces for more protests [VIDEO]", False),
    ("SEE ALSO : Colombia News and Profile It also warned that residents were threatened through social network "
     "posts and through printed pamphlets, and that they were also forced to leave their homes", False),
])
def test_link_box_lines(text: str, link: bool) -> None:
    from monitor.text import is_link_line, split_sentences

    tagged = [s for s in split_sentences(text) if "[" in text[s.start:s.end] or ":" in text[s.start:s.end]
              or "SEE ALSO" in text[s.start:s.end] or "threatened" in text[s.start:s.end]]
    assert tagged and any(is_link_line(text, s.start, s.end) for s in tagged) == link


def test_no_detector_reads_a_link_box(pipeline) -> None:  # type: ignore[no-untyped-def]
    """The headlines of other stories, as a news site's "DON'T MISS" box leaves them in the extracted text."""
    box = ("DON'T MISS\nHong Kong 'threatened with Chinese military intervention'\xa0[REACTION]\n"
           "Read more: Two soldiers killed as 300 troops sent to the border\n")
    assert _run(pipeline, box) == []
    story = "The army threatened to open fire on the marchers. Two soldiers were killed on Monday."
    assert {f.detector for f in _run(pipeline, box + story)} >= {"escalation", "casualties"}


@pytest.mark.parametrize(("text", "summaries"), [
    ("The US will keep 2,500 troops in Iraq.", ["Remain: 2,500 personnel"]),
    ("Britain kept its military presence in the Gulf.", ["Remain: forces"]),
    # a force noun that only qualifies a place or a thing: nothing kept is a force
    ("Russia will keep its military base in the desert town.", []),
    ("The two countries kept military ties despite the dispute.", []),
])
def test_what_keep_keeps(pipeline, text: str, summaries: list[str]) -> None:  # type: ignore[no-untyped-def]
    assert [f.summary for f in _run(pipeline, text) if f.detector == "deployments"] == summaries


@pytest.mark.parametrize("text", [
    "Gunmen killed 12 people in Kano state in the worst attack there since 2015, police said.",
    "The militants, who were founded in 2002, killed 30 villagers in an overnight raid, officials said.",
    "The ceasefire agreed in 2016 collapsed and fighters killed 12 civilians in the town.",
    "In 2015, the army said, it had not used force; gunmen killed 9 people in the market on November 16.",
])
def test_an_old_year_dating_something_else_changes_nothing(pipeline, text: str) -> None:  # type: ignore[no-untyped-def]
    """A past year elsewhere in the sentence dates something else: the article's date marks no figure background
    (what the learned flag reads from the year itself is its own, with or without a date)."""
    def flags(published: str | None) -> list[tuple[str, bool]]:
        _, found = pipeline.run(Article.create(text, published=published))
        return [(f.summary, bool(f.attributes.get("background"))) for f in found if f.detector == "casualties"]

    assert flags(None) and flags("2019-11-18") == flags(None)


def test_the_escalation_trigger_scan_finds_what_its_alternatives_find() -> None:
    """The one-pass trigger scan (alternatives grouped by first letter, for speed) finds exactly the matches of
    the plain alternation it stands for, on every committed text and on edge cases of its look-behind."""
    import re

    from monitor.text import lower_same_length
    from plugins.escalation import cues

    patterns = (cues._SPEECH_ACT, cues._ALERT, cues._ANNOUNCED, cues._CHANT, cues._WAR_DECLARED)
    plain = re.compile("|".join(a for p in patterns for a in cues._alternatives(p.pattern)))
    here = Path(__file__).parent
    texts = [" ".join(json.loads(line)["sentences"]) for path in ("project.jsonl", "families.jsonl")
             for line in (here / "eval" / path).read_text().splitlines() if line.strip()]
    texts += [p.read_text() for p in (here.parent / "seeds").glob("*.txt")]
    # the real news texts, where prepare.py brought them in (not in a clean clone)
    texts += [" ".join(json.loads(line)["sentences"]) for p in sorted(here.glob("eval/real/texts/*.jsonl"))
              for line in p.read_text().splitlines() if line.strip()]
    texts += ["threat", "xthreat", "_warned", "they'll attack", "'ll strike", "x'll", "9vow", "é warn",
              "militants will continue to stage attacks", "to\ncontinue attacks", "declared war on them",
              "onto continue attacks", "tototo continue attacks", "warnwarn", "vow'll"]
    assert len(texts) > 250
    for text in map(lower_same_length, texts):
        assert [m.span() for m in cues._TRIGGER.finditer(text)] == [m.span() for m in plain.finditer(text)]
        # and the literal-start scan that stands for it in the detector finds the same starts
        assert cues._TRIGGER_STARTS.starts(text) == [m.start() for m in plain.finditer(text)]
    # every alternative begins with a literal word: the scan never falls back to the regex alone
    assert cues._TRIGGER_STARTS._automaton is not None


@pytest.mark.parametrize(
    ("word", "month"),
    [("March", True), ("mar", True), ("Sept", True), ("september", True), ("May", True), ("dec", True),
     ("Separately", False), ("marines", False), ("junior", False), ("decided", False), ("mayor", False)],
)
def test_one_month_pattern_reads_names_not_words_that_start_alike(word: str, month: bool) -> None:
    """monitor.text.MONTH, the one month pattern every detector's dates build on: the casualty features had read
    "Separately" as "Sept." before a figure."""
    import re

    from monitor.text import MONTH

    assert bool(re.fullmatch(MONTH, word, re.IGNORECASE)) is month


def test_separately_is_no_date_before_a_figure() -> None:
    text = "Separately, a man was killed in the blast. On Sept. 3 two men were killed."
    feats = {(c.category, c.count): c.features for c in _casualty_candidates(text)}
    assert "x:date_before" not in feats[("killed", 1)]


@pytest.mark.parametrize(
    ("text", "pair", "read"),
    [
        # Regional names for the people harmed, and a unit named after a weapon before its people.
        ("Two SFs were killed in the exchange of fire.", ("killed", 2), True),
        ("Two ultras were killed in an encounter with security forces.", ("killed", 2), True),
        ("Three suspected sicarios were shot dead by police.", ("killed", 3), True),
        ("Two Assam Rifles personnel were injured in an ambush.", ("injured", 2), True),
        ("Police recovered two rifles and the militants fled.", ("killed", 2), False),
        # A subgroup in an aside after its total; a relative clause or "believed to be" aside before the verb.
        ("Five people, two of whom were women, died when the boat capsized.", ("killed", 5), True),
        ("Five people, two of whom were women, died when the boat capsized.", ("killed", 2), False),
        ("Eleven soldiers, three of them officers, died in the helicopter crash.", ("killed", 11), True),
        ("Six people were abducted and two of them were killed.", ("killed", 2), True),
        ("Six persons, who were travelling in an autorickshaw, were injured in the crossfire.", ("injured", 6), True),
        ("Two militants, believed to be foreigners, were killed in the encounter.", ("killed", 2), True),
        # Bodies counted in digits; a toll that "stood at" a figure (not an age or a time).
        ("The bodies of 45 people were found in a ravine.", ("killed", 45), True),
        ("The death toll from the bus bombing stood at 18 on Monday.", ("killed", 18), True),
        ("The boy was recruited at 14 and killed two years later.", ("killed", 14), False),
        # A subgroup after "among whom were" (eleventh session).
        ("Eight workers, among whom were three engineers, were injured in the attack.", ("injured", 8), True),
        ("Eight workers, among whom were three engineers, were injured in the attack.", ("injured", 3), False),
        # A numbered unit is no head count; a unit's name before its people is ("two Assam Rifles personnel").
        ("Two soldiers of 5 Sikh LI were injured in the firing.", ("injured", 5), False),
        ("Two soldiers of 5 Sikh LI were injured in the firing.", ("injured", 2), True),
        # People named by trade, faith or nation, in capitals too (read in lower case, where no capital marks them).
        ("THREE PEASANTS WERE KILLED BY THE PATROL.", ("killed", 3), True),
        ("Four Salvadorans were wounded in the shelling.", ("injured", 4), True),
    ],
)
def test_the_rules_read_the_red_team_families_of_incident_reports(text: str, pair: tuple, read: bool) -> None:
    """Families a red-team pass of self-written incident-report sentences found (tenth session): each is read by
    the rules themselves, not left to a broad candidate the learned decision scores low."""
    assert bool(_rule_readings(text).get(pair, set()) - {"near", "bare"}) is read


@pytest.mark.parametrize(
    ("text", "counted", "not_counted"),
    [
        # Ages, one for each person counted, are no head count: the count is the persons'.
        ("Two children, aged 6 and 12, were killed when a shell hit their school bus.", ("killed", 2),
         [("killed", 6), ("killed", 12)]),
        ("Two girls aged 13 and 15 were injured in the cross-firing.", ("injured", 2), [("injured", 15)]),
        ("Three cousins, aged 4, 9 and 10, were killed in the landslide.", ("killed", 3),
         [("killed", 9), ("killed", 10)]),
        ("Two porters, 19 and 23, were wounded by the blast.", ("injured", 2), [("injured", 19), ("injured", 23)]),
        # The whole a part is taken from is not harmed; unless the whole itself is ("the four militants killed").
        ("Two of the eleven kidnapped drivers were found dead near the border.", ("killed", 2), [("killed", 11)]),
        ("Three of the four militants killed in the raid were foreigners.", ("killed", 4), [("killed", 3)]),
        # A total told part by part: the parts sum to it, so they are not figures of their own.
        ("A total of 14 persons, 10 villagers and four policemen, were injured.", ("injured", 14),
         [("injured", 10), ("injured", 4)]),
        ("Nine people - five men and four women - died in the fire.", ("killed", 9), [("killed", 5)]),
        # A numbered unit between a head count and its verb.
        ("Three jawans of 9 Maratha Light Infantry were injured in the firing.", ("injured", 3), []),
        # A family member after one person: both counted.
        ("A driver and his two sons were shot dead on the highway.", ("killed", 2), []),
        ("A driver and his two sons were shot dead on the highway.", ("killed", 1), []),
    ],
)
def test_numbers_that_count_a_group_are_not_the_harmed(text: str, counted: tuple, not_counted: list) -> None:
    """Red-team families (eleventh session): ages after a head count, "N of the M", a total told part by part
    and a numbered unit. The head count is read by the rules; the group's other numbers are
    proposed by no rule at all, not even as broad candidates."""
    readings = _rule_readings(text)
    assert readings.get(counted, set()) - {"near", "bare"}, readings
    assert not set(not_counted) & set(readings), readings


@pytest.mark.parametrize(("text", "age", "counted"), [
    ("Frightened Rabbit Singer Scott Hutchison Dead At 36.", 36, None),
    ("Toys R Us Founder Charles Lazarus, 94, Dies As His Empire Comes To A Close.", 94, None),
    ("The actor died at the age of 81 on Tuesday.", 81, None),
    ("Police said Ahmed, 34, was shot dead near the market.", 34, None),
    # a person named by a noun, a kinsman, and an age that closes the sentence
    ("A man, 25, was stabbed to death outside the station.", 25, None),
    ("Ali, 25, and his brother, 30, were killed in the raid.", 30, None),
    ("Those killed included the driver, Omar Khan, 41.", 41, None),
    # a place before the comma, or a breakdown after it, makes the figure a count again
    ("In Quetta, 14, including two children, were killed in the blast.", None, 14),
    # a toll at a figure is a toll, and a count told after a place, a day or a total is a count
    ("The death toll stood at 36 on Friday.", None, 36),
    ("Officials put the number of dead at 36.", None, 36),
    ("Police put the dead at 14 on Friday.", None, 14),
    ("On Sunday, 14, two of them children, were killed.", None, 14),
    ("In Pakistan's Quetta, 14, two of them children, were killed in the blast.", None, 14),
])
def test_one_persons_age_is_no_casualty_count(text: str, age: int | None, counted: int | None) -> None:
    """Fourteenth session, from the HuffPost items (a source no round developed on): a person's age beside a
    harm word was proposed as a count ("Dead At 36" -> 36 killed). No rule proposes it now, not even broadly."""
    readings = _rule_readings(text)
    figures = {count for _, count in readings}
    if age is not None:
        assert age not in figures, readings
    if counted is not None:
        assert counted in figures, readings


def test_a_list_of_figures_that_is_no_breakdown_keeps_each_figure() -> None:
    """Parts must sum to the total: "3 policemen, 2 soldiers and 4 civilians" are three figures, not a total and
    its parts."""
    readings = _rule_readings("Militants killed 3 policemen, 2 soldiers and 4 civilians, officials said.")
    assert {("killed", 3), ("killed", 2), ("killed", 4)} <= set(readings)


@pytest.mark.parametrize(
    ("text", "pairs"),
    [
        # All-capital wire copy reads as lower case: "AND" joins two figures, a plural is no people's name.
        ("THE MINISTER SAID 12 GUERRILLAS AND 1 SOLDIER WERE KILLED IN THE FIGHTING.", {("killed", 12), ("killed", 1)}),
        # A list that ends in "and" carries its predicate back over its commas.
        ("One army lieutenant, four soldiers, and three civilians were killed during the attacks.",
         {("killed", 1), ("killed", 4), ("killed", 3)}),
        # A harm verb's object goes on over "and" to a second figure of people.
        ("Rebels killed 31 villagers and seven soldiers in the raid.", {("killed", 31), ("killed", 7)}),
        ("A fire killed 19 people and injured another eight on Saturday.", {("killed", 19), ("injured", 8)}),
        # Other people joined to the subject do not hide its figure.
        ("Two members of the banned outfit and a policeman were shot dead.", {("killed", 2)}),
        # An abbreviation's full stop does not end the noun phrase.
        ("Two U.S. soldiers were killed in a roadside bombing.", {("killed", 2)}),
        ("Three St. Louis residents were injured in the crash.", {("injured", 3)}),
    ],
)
def test_figures_joined_by_and_or_in_capitals_are_read_by_the_rules(text: str, pairs: set) -> None:
    readings = _rule_readings(text)
    assert all(readings.get(p, set()) - {"near", "bare"} for p in pairs), readings


@pytest.mark.parametrize(
    ("text", "pair"),
    [
        ("Gunmen killed 3 policemen and two others were arrested.", ("killed", 2)),
        ("Troops killed 5 militants and seized 3 rifles.", ("killed", 3)),
        ("The blast killed 12 people and 4 horses.", ("killed", 4)),
        ("FIVE ROCKETS AND 2 MORTARS WERE FIRED AT THE BASE, KILLING NOBODY.", ("killed", 2)),
    ],
)
def test_a_second_figure_with_its_own_verb_or_no_people_is_not_read_on(text: str, pair: tuple) -> None:
    assert not _rule_readings(text).get(pair, set()) - {"near", "bare"}


#: An incident report's inventory of what was seized, thirty items long and shouted (the MUC-4 and wire style).
_INVENTORY = (
    "THE ARMY RECOVERED THE BODIES OF 3 MILITANTS. THE RECOVERIES INCLUDED ONE AK 47 RIFLE, THREE MAGAZINES, "
    "62 ROUNDS OF AMMUNITION, 7 UBGL GRENADES, ONE HAND GRENADE, TWO RADIO SETS, 3 ANTENNA, ONE COMMUNICATION SET, "
    "3 GPS DEVICES, ONE BINOCULAR, TWO TRIP FLARES, SIX RUCKSACKS, ONE POUCH, 4 SMALL BAGS, SIX JACKETS, SIX WOOLLEN "
    "CAPS, SIX SHAWLS, 15 PAIRS OF GLOVES, 13 PAIR OF SOCKS, THREE BIG LIGHTERS, SIX BOTTLES OF LIQUID, NINE SMALL "
    "BOTTLES, 2 T SHIRTS, 5 UPPERS, 22 PACKETS OF RATION, 5 PACKETS OF TISSUE PAPER, 24 PACKETS OF DRY FRUIT, 12 "
    "CELLS, ONE CHARGER, TWO KNIFE KITS, ONE FOLDING KNIFE, FOUR WALKING STICKS, TWO WIRE CUTTERS, FIVE BOXES OF FUEL "
    "TABLETS, ONE USB CABLE AND TWO DIARIES WITHOUT WHICH NO PATROL LEAVES."
)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("text", [_INVENTORY, _INVENTORY.lower(), _INVENTORY.replace(", ", ",")])
def test_a_long_list_is_read_in_one_pass_not_every_way_it_can_be_split(pipeline, text: str) -> None:
    """The breakdown rule ("27 persons, 18 civilians and nine soldiers, were killed") once let the spaces after each
    comma belong to either side, so a list that ends no breakdown was tried 2**n ways: the shouted inventory above
    held the casualty detector for hours (700 characters of it took 72 s). The guard is the timeout, far above the
    milliseconds it takes now; the reading is checked too."""
    findings = _run(pipeline, text)
    assert ("killed", 3) in _pairs(findings, "casualties", ("category", "count"))


@pytest.mark.timeout(30)
def test_a_run_of_adverbs_is_read_once(pipeline) -> None:  # type: ignore[no-untyped-def]
    """"reportedly", "officially" and "subsequently" were listed beside any word in "-ly" among the words a predicate
    may wait behind, so each of them in a row doubled the ways to try: 22 of them held the detector 45 s, and it
    holds the interpreter's lock, so the daemon's detector timeout could not fire."""
    text = "Five people " + "officially " * 40 + "left the town where police reportedly killed two men."
    assert ("killed", 2) in _pairs(_run(pipeline, text), "casualties", ("category", "count"))


@pytest.mark.parametrize("text", ["Twelve people, 10 and 2 others, were killed.",
                                  "Twelve people - 10 and 2 others - were killed."])
def test_a_breakdown_whose_parts_are_short_is_still_a_breakdown(pipeline, text: str) -> None:
    """A part of two characters ("10") stays a part, as it was before the list rule took its spaces whole."""
    assert _pairs(_run(pipeline, text), "casualties", ("category", "count")) == {("killed", 12)}


@pytest.mark.parametrize(("text", "pair"), [
    ("Police recovered 35 bodies from the river on Monday.", ("killed", 35)),
    ("A total of 18 bodies were brought to the morgue last weekend.", ("killed", 18)),
    ("Two mass graves containing 11 bodies were discovered on Sunday.", ("killed", 11)),
    ("The island registered 1,124 homicides last year.", ("killed", 1124)),
    ("El Salvador had 60 murders per 100,000 inhabitants.", None),
    ("Police said 11 homicides a day were recorded in April.", None),
])
def test_the_dead_counted_by_a_noun_of_their_own(pipeline, text: str, pair: tuple | None) -> None:
    """Bodies found and homicides counted are the dead, by the brief; a rate is not a count of them."""
    found = _pairs(_run(pipeline, text), "casualties", ("category", "count"))
    assert found == ({pair} if pair else set())
