"""Choose the candidate sentences of the sentence-level sources, once, and write their ids.

Some sources are too large to label whole, and most of their sentences say nothing about force. This script
keeps, per source, every sentence in which the deployments or escalation rules propose a candidate (the
rules' high-recall half, not the learned decision), and a seeded random 4 % of the others so that recall is
measured on sentences the rules pass over too; where that is more than a source's cap (``CAPS``: what four
annotators label in a session), a seeded sample of them, in their order. The ids go to ``<source>_ids.txt``
and ``prepare.py`` reads them back. Run once, at the commit that adds a source, and commit the ids with it
(before any labelling):

    python tests/eval/real/choose.py --conflibert PATH

Sources (eventdata/ConfliBERT; every file a training or development file, none held out):
- ``insights``: ``data/insightCrime/train.tsv``, the articles ``prepare.insight`` did not sample;
- ``ipes``: ``data/IndiaPoliceEvents_sents/train.tsv`` and ``dev.tsv``, the rows ``prepare.ipe`` did not take;
- ``muc4d``: ``data/muc4/dev.json`` (the TST1 documents);
- ``re3d``: ``data/re3d/train.txt`` and ``dev.txt`` (defence and security texts, CoNLL tokens rejoined);
- ``agnews`` (mhjabreel/CharCNN, ``--charcnn``, added at a later commit with ``--only agnews``): AG's News test set,
  7,600 title-and-description items of 2004-05 news, world, business, sports and technology alike; an item
  is chosen when any of its sentences is proposed.
- ``muc4t``, ``bbcs``, ``insightt`` (added at a later commit with ``--only``): ConfliBERT's ``data/muc4/test.json``
  (TST3 and TST4), ``data/BBC_News/dev.tsv`` and ``test.tsv``, ``data/insightCrime/dev.tsv`` and ``test.tsv``.
  ConfliBERT calls them test and development files for its own classifiers; none is on this project's
  held-out list (only ``satp_relevant/test.tsv`` and ``cameo_class/test.tsv`` are).
- ``agl`` and ``agk`` (``--ag-lst``, ``--ag-keaml``, added at a later commit with ``--dedupe texts``): two public
  samples of AG's News (lst11111/bert-text-classification, 7,000 items; KEAML-JLU/DeepTextClustering, 8,000),
  items already in the corpus or in the other sample left out.
- ``conll`` (``--conll``, zhangjiawei98/BARTNER, added in the fifth round with ``--only conll --dedupe texts``):
  the CoNLL-2003 English sentences, Reuters news of 1996-97 (Chechnya, Iraq, the Middle East, Africa and the
  Balkans beside business and sport), one sentence an item. Added because escalation's out-of-fold F1 still rose
  steeply with data (half the development split 0.39, three quarters 0.50, all 0.57) and every other pool's
  proposed sentences were already labelled.
- ``isot`` (``--isot``, Vatshayan/Fake-News-Prediction, added in the sixth round with ``--only isot --dedupe
  texts``): the Reuters half of the ISOT fake-news dataset as that repository keeps it (988 articles of US and
  world politics, late 2017: North Korea's missiles and the threats between Washington and Pyongyang, Iran,
  Jerusalem, Congress), one sentence an item. Added for escalation: threats of force and their look-alikes
  (threatened vetoes, lawsuits and shutdowns) in the politics desk's own words.
- ``reuters`` (``--reuters``, loki86/ksr_zadanie1V2, added in the tenth round with ``--only reuters --dedupe
  texts``): Reuters-21578, the 21,578 newswire stories of 1987, one sentence an item. Added for escalation: the
  Gulf tanker war, Iran and Iraq, Lebanon and Central America beside the business desk's own look-alikes (trade
  retaliation, tariffs threatened, a takeover "threat", strikes called). Of its 110,000 sentences the rules
  propose 1,517, so the rest are sampled at 0.2 % (``OTHERS_BY_SOURCE``), not 4 %, or they would outnumber the
  proposed ones three to one.

- ``huff`` (``--huff``, ongraphpythondev/elastic_search, added in the fourteenth round with ``--only huff --dedupe
  texts``): 4,782 HuffPost items of February to May 2018, headline and short description, US politics and world
  news (the strikes on Syria, North Korea, Iran's deal, Gaza) beside entertainment and crime; an item is chosen
  when any of its sentences is proposed. Added for escalation and deployments in a newsroom's own words and
  headline style (capitalised headlines), a source no earlier round developed on.
- ``huff22`` (``--huff22``, Limpery/MGO, added in the fifteenth round with ``--only huff22 --dedupe texts``): the
  newest 9,999 items of the same dataset's third edition (May 2018 to September 2022: Russia's build-up on
  Ukraine's border and the war's first seven months, Afghanistan's fall, Iran, Gaza), chosen as ``huff`` is and
  capped at 600 (six annotators).
- ``fwd`` (``--fwd``, fwd/news, added in the sixteenth round with ``--only fwd --dedupe texts``): 10,037 news
  headlines of November 2021 to July 2022 as posted to Reddit's news boards, one headline an item: Russia's
  build-up, threats and invasion in the outlets' own headline wording, beside US politics, technology and
  television. Chosen as the sentence sources are, capped at 900 (six annotators; a headline is one sentence).
- ``abc`` (``--abc``, a public copy of ABC News (Australia)'s headline archive, added in the sixteenth round with
  ``--only abc --dedupe texts``): 21,294 lower-cased headlines of February to June 2003, the Iraq war's build-up,
  invasion and first weeks among Australian news; headlines of four words or more (``MIN_WORDS``), capped at 900.
- ``ipet`` (ConfliBERT, added in the eighteenth round with ``--only ipet --dedupe texts``):
  ``data/IndiaPoliceEvents_sents/test.tsv``, the Gujarat 2002 reports' test file for ConfliBERT's own classifiers
  (not on this project's held-out list), 3,276 rows; its near-copies of the train and dev rows already in the
  corpus are skipped, which leaves 213 chosen sentences (the cap of 420 does not bind). Added for incident
  reports in the conflict genre the held-out sets are in: police firing, curfews, the army called in.
- ``toi`` (``--toi``, hrPrathigna/tie, added in the sixteenth round with ``--only toi --dedupe texts``): 26,016 Times
  of India headlines of January to September 2001 (the Gujarat earthquake, Kashmir, the north-east and Naxalite
  insurgencies, the Agra summit among city and business news), chosen as ``abc`` is.

The rest (``--rest``, the twelfth round): the proposed sentences a source's cap left out, or that today's rules
propose and the rules of its round did not, appended to its ``<source>_ids.txt`` (no random others this time: they
were sampled once, from the whole source). Every sentence a deployment rule proposes is kept; of those only the
escalation rules propose, at most ``REST_ESCALATION`` a source, a seeded sample. Their test quarter is frozen by
the same id rule (``split.py``) before any of them is labelled.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[2]))

import prepare  # noqa: E402  (the frozen splitter and the readers)
from monitor_plugins.deployments import DeploymentOptions, DeploymentsDetector  # noqa: E402
from monitor_plugins.escalation import EscalationDetector, EscalationOptions  # noqa: E402

from monitor.model import Article  # noqa: E402

OTHERS = 0.04
#: Sources so large that 4 % of their unproposed sentences would swamp the proposed ones.
OTHERS_BY_SOURCE = {"reuters": 0.002}
SEED = 20261130
CAPS = {"insights": 760, "ipes": 500, "agnews": 900, "muc4t": 600, "bbcs": 600, "insightt": 450, "agl": 700,
        "agk": 700, "conll": 700,
        "isot": 1000, "reuters": 1800, "huff": 800, "huff22": 600, "fwd": 900, "abc": 900, "toi": 900,
        "ipet": 420}
#: Headlines are shorter than sentences: "us troops enter baghdad" says all it says in four words.
MIN_WORDS = {"abc": 4, "toi": 4}


def _proposes() -> Callable[[str], bool]:
    deployments = DeploymentsDetector(DeploymentOptions())
    escalation = EscalationDetector(EscalationOptions())

    def proposes(sentence: str) -> bool:
        article = Article.create(sentence, title="")
        return bool(deployments.candidates(article) or escalation.candidates(article))

    return proposes


def _shingles(text: str) -> set[str]:
    words = [w for w in re.sub(r"[^a-z0-9 ]+", "", text.lower()).split() if w != "s"]
    return {" ".join(words[i:i + 6]) for i in range(max(1, len(words) - 5))}


def _known(texts: Path, choosing: Iterable[str] = ()) -> set[str]:
    """Six-word shingles of every item already in the corpus: a source that re-publishes an item (the AG's News
    samples overlap each other and the AG's News test set) must not bring it in twice. The texts of the sources
    being chosen (``choosing``) are left out, so that choosing a source again gives the same ids."""
    known: set[str] = set()
    for path in texts.glob("*.jsonl"):
        if path.stem in choosing:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            known |= _shingles(" ".join(json.loads(line)["sentences"]))
    return known


def choose(source: str, sentences: Iterator[tuple[str, str]], known: set[str] | None = None) -> list[str]:
    """The ids of the proposed sentences and of a seeded 4 % of the rest (sentences under 6 words, or a source's
    ``MIN_WORDS``, skipped, and with ``known`` those sharing half their six-word shingles with an item already
    chosen or known)."""
    proposes, rng, chosen = _proposes(), random.Random(f"{SEED}-{source}"), []
    for item_id, sentence in sentences:
        if len(sentence.split()) < MIN_WORDS.get(source, 6):
            continue
        if known is not None:
            shingles = _shingles(sentence)
            if len(shingles & known) * 2 >= len(shingles):
                continue
            known |= shingles
        if proposes(sentence) or rng.random() < OTHERS_BY_SOURCE.get(source, OTHERS):
            chosen.append(item_id)
    cap = CAPS.get(source, len(chosen))
    keep = set(rng.sample(chosen, cap)) if cap < len(chosen) else set(chosen)
    return [i for i in chosen if i in keep]


#: The twelfth round's cap on sentences only the escalation rules propose (InSight Crime's are gang threats
#: mostly; the other sources have fewer than this left).
REST_ESCALATION = 150


def rest(source: str, sentences: Iterator[tuple[str, str]], have: set[str], known: set[str]) -> list[str]:
    """The ids, not in ``have``, of the sentences the rules propose now (see the module's "The rest"). Every
    proposed sentence's shingles join ``known``, those the sample then drops too, so a later near-copy of a dropped
    one is skipped as well; that is how the committed ids were chosen (``5166240``), so it stays."""
    deployments = DeploymentsDetector(DeploymentOptions())
    escalation = EscalationDetector(EscalationOptions())
    rng, moves, threats = random.Random(f"{SEED}-rest-{source}"), [], []
    for item_id, sentence in sentences:
        if item_id in have or len(sentence.split()) < 6:
            continue
        shingles = _shingles(sentence)
        if len(shingles & known) * 2 >= len(shingles):
            continue
        article = Article.create(sentence, title="")
        if deployments.candidates(article):
            moves.append(item_id)
        elif escalation.candidates(article):
            threats.append(item_id)
        else:
            continue
        known |= shingles
    keep = set(moves) | set(rng.sample(threats, min(REST_ESCALATION, len(threats))))
    return [i for i in [*moves, *threats] if i in keep]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--conflibert", type=Path, required=True)
    ap.add_argument("--charcnn", type=Path)
    ap.add_argument("--ag-lst", type=Path)
    ap.add_argument("--ag-keaml", type=Path)
    ap.add_argument("--conll", type=Path)
    ap.add_argument("--isot", type=Path)
    ap.add_argument("--reuters", type=Path)
    ap.add_argument("--huff", type=Path)
    ap.add_argument("--huff22", type=Path)
    ap.add_argument("--fwd", type=Path)
    ap.add_argument("--abc", type=Path)
    ap.add_argument("--toi", type=Path)
    ap.add_argument("--only", action="append", help="Choose only this source (repeatable).")
    ap.add_argument("--dedupe", type=Path, help="Skip items whose text is already in this texts folder.")
    ap.add_argument("--rest", action="store_true",
                    help="Append the proposed sentences not yet chosen (needs --dedupe; see the module's doc).")
    args = ap.parse_args()
    # (the rest, by its doc, skips near-copies of its own source's chosen items too: their texts stay in)
    known = _known(args.dedupe, () if args.rest else args.only or ()) if args.dedupe else None
    if args.rest:
        if known is None:
            ap.error("--rest needs --dedupe TEXTS")
        for source, reader in prepare.SENTENCE_SOURCES.items():
            if args.only and source not in args.only:
                continue
            path = HERE / f"{source}_ids.txt"
            have = path.read_text(encoding="utf-8").split()
            new = rest(source, reader(getattr(args, prepare.REPOSITORY.get(source, "conflibert"))), set(have), known)
            path.write_text("\n".join([*have, *new]) + "\n", encoding="utf-8")
            print(f"{source}: {len(new)} more sentences chosen")
        return
    for source, reader in prepare.SENTENCE_SOURCES.items():
        if args.only and source not in args.only:
            continue
        ids = choose(source, reader(getattr(args, prepare.REPOSITORY.get(source, "conflibert"))), known)
        (HERE / f"{source}_ids.txt").write_text("\n".join(ids) + "\n", encoding="utf-8")
        print(f"{source}: {len(ids)} sentences chosen")


if __name__ == "__main__":
    main()
