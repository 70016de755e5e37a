"""Bring the texts of the real-news evaluation corpus into an ignored folder, split into numbered sentences.

The labels (``labels/*.jsonl``) carry ids only; the texts stay in their public repositories. Give this script
a copy of each repository (a work tree or a bare git directory, as the search tool's ``fetch`` leaves it):

    python tests/eval/real/prepare.py --conflibert PATH [--case PATH] [--out tests/eval/real/texts]

It writes ``texts/<source>.jsonl``: one ``{"id", "sentences"}`` per item. **The splitter below is frozen**:
labels index these sentences, so changing it would silently move every escalation label. The detectors'
own splitter (``monitor.text.sentences``) is free to change; evaluation scores by these spans.

Sources (see ``../../../README.md``, "Detector quality"):
- ``satp``: eventdata/ConfliBERT ``data/satp_relevant/train.tsv`` and ``dev.tsv``, every row;
- ``cameo``: eventdata/ConfliBERT ``data/cameo_class/train.tsv``, every row;
- ``ipe``: eventdata/ConfliBERT ``data/IndiaPoliceEvents_sents/train.tsv``: every row marked KILL or FORCE and
  a fixed random sample of the rest (seeded), 400 in all;
- ``muc4``: eventdata/ConfliBERT ``data/muc4/train.json``: a seeded sample of 300 documents (Latin American
  conflict reports of 1989-91, upper-case as published: threats, troop movements and tolls);
- ``insight``: eventdata/ConfliBERT ``data/insightCrime/train.tsv``: a seeded sample of 150 articles (organised
  crime and armed groups in Latin America);
- ``bbc``: eventdata/ConfliBERT ``data/BBC_News/train.tsv`` (general news of 2004-05, lower-cased as published):
  the 760 sentences listed in ``bbc_ids.txt``, those of 29,262 in which the detectors' rules proposed a candidate
  at commit ``bac2371``: threats, figures and troops in business, politics, sport and entertainment, where
  a false alarm costs most. One sentence an item; sentences are split at ``. `` since the text is lower-cased;
/case-2021-shared-task ``task2/test_dataset/test_set_final_release_with_labels.tsv``,
  only the ids labelled in ``../../../../shared/eval/case_dev.jsonl`` (the rest is held out and never read
  into the corpus).
- the chosen sources (``SENTENCE_SOURCES``, their ids in ``<source>_ids.txt``, see ``choose.py``): AG's News
  (``--charcnn``, ``--ag-lst``, ``--ag-keaml``), CoNLL-2003 (``--conll``), ISOT (``--isot``) and Reuters-21578
  (``--reuters``, loki86/ksr_zadanie1V2) and HuffPost's news of 2018 (``--huff``, ongraphpythondev/elastic_search)
  and of 2018-22 (``--huff22``, Limpery/MGO), and headlines of 2021-22 (``--fwd``, fwd/news) and of 2003
  (``--abc``, ABC News) and 2001 (``--toi``, the Times of India).
Held out and never read here: ConfliBERT's ``satp_relevant/test.tsv`` and ``cameo_class/test.tsv``.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
IPE_SAMPLE = 400
MUC4_SAMPLE = 300
INSIGHT_SAMPLE = 150

# Frozen: a boundary is . ! or ? (with closing quotes) followed by whitespace and an upper-case letter, a digit
# or an opening quote, or a line break; a handful of abbreviations and single initials do not end a sentence.
_BOUNDARY = re.compile(r"""[.!?]+["'”’)]*(?=\s+["'“‘(]?[A-Z0-9])|\n+""")
_ABBREV = {"mr", "mrs", "ms", "dr", "gen", "lt", "col", "maj", "capt", "sgt", "gov", "sen", "rep", "st", "no",
           "vs", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s",
           "u.n", "u.k", "inc", "co", "corp", "ltd", "jr", "sr", "brig", "supt", "insp", "mt", "ft"}


def split(text: str) -> list[str]:
    """The frozen sentence split the labels index (see the module docstring)."""
    out, start = [], 0
    for m in _BOUNDARY.finditer(text):
        if text[m.start()] == ".":
            word = re.search(r"([\w.]+)$", text[max(0, m.start() - 20):m.start()])
            w = word.group(1).lower() if word else ""
            if w.rstrip(".") in _ABBREV or (len(w) == 1 and w.isalpha()):
                continue
        piece = text[start:m.end()].strip()
        if piece:
            out.append(" ".join(piece.split()))
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(" ".join(tail.split()))
    return out


def read(repo: Path, path: str, commit: str = "HEAD") -> str:
    """A file of a work tree, or of a git directory's ``commit`` (its HEAD unless named)."""
    if commit == "HEAD" and (repo / path).is_file():
        return (repo / path).read_text(encoding="utf-8", errors="replace")
    done = subprocess.run(["git", "--git-dir", str(repo), "show", f"{commit}:{path}"], capture_output=True,
                          check=False)
    if done.returncode:
        sys.exit(f"{repo}: cannot read {path}: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout.decode("utf-8", errors="replace")


def rows(text: str) -> list[list[str]]:
    csv.field_size_limit(sys.maxsize)
    return list(csv.reader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))


def satp(repo: Path) -> list[dict[str, object]]:
    items = []
    for part in ("train", "dev"):
        for n, row in enumerate(rows(read(repo, f"data/satp_relevant/{part}.tsv"))):
            items.append({"id": f"satp-{part}-{n:04d}", "sentences": split(row[0])})
    return items


def cameo(repo: Path) -> list[dict[str, object]]:
    return [{"id": f"cameo-train-{n:04d}", "sentences": split(row[0])}
            for n, row in enumerate(rows(read(repo, "data/cameo_class/train.tsv")))]


def ipe(repo: Path) -> list[dict[str, object]]:
    table = rows(read(repo, "data/IndiaPoliceEvents_sents/train.tsv"))
    marked = [n for n, r in enumerate(table) if len(r) >= 5 and (r[1] == "1" or r[4] == "1")]
    rest = [n for n, r in enumerate(table) if n not in set(marked) and len(r[0].split()) >= 8]
    chosen = sorted(marked + random.Random(20261129).sample(rest, IPE_SAMPLE - len(marked)))
    return [{"id": f"ipe-train-{n:05d}", "sentences": split(table[n][0])} for n in chosen]


def muc4(repo: Path) -> list[dict[str, object]]:
    docs = json.loads(read(repo, "data/muc4/train.json"))
    chosen = sorted(random.Random(20261129).sample(sorted(docs), MUC4_SAMPLE))
    return [{"id": f"muc4-{key}", "sentences": split(docs[key]["doc"].replace("\n", " "))} for key in chosen]


def insight(repo: Path) -> list[dict[str, object]]:
    table = rows(read(repo, "data/insightCrime/train.tsv"))
    chosen = sorted(random.Random(20261129).sample(range(len(table)), INSIGHT_SAMPLE))
    return [{"id": f"insight-train-{n:04d}", "sentences": split(table[n][0])} for n in chosen]


def muc4s(repo: Path) -> list[dict[str, object]]:
    docs = json.loads(read(repo, "data/muc4/train.json"))
    items = []
    for item_id in (HERE / "muc4s_ids.txt").read_text(encoding="utf-8").split():
        key, j = item_id[len("muc4s-"):].rsplit("-", 1)
        items.append({"id": item_id, "sentences": [split(docs[key]["doc"].replace("\n", " "))[int(j)]]})
    return items


def bbc(repo: Path) -> list[dict[str, object]]:
    wanted = (HERE / "bbc_ids.txt").read_text(encoding="utf-8").split()
    table = rows(read(repo, "data/BBC_News/train.tsv"))
    items = []
    for item_id in wanted:
        _, _, n, j = item_id.split("-")
        sentences = [" ".join(s.split()) for s in re.split(r"(?<=[.!?])\s+", table[int(n)][0]) if len(s.split()) >= 5]
        items.append({"id": item_id, "sentences": [sentences[int(j)]]})
    return items


def _insight_sentences(repo: Path) -> Iterator[tuple[str, str]]:
    table = rows(read(repo, "data/insightCrime/train.tsv"))
    taken = set(random.Random(20261129).sample(range(len(table)), INSIGHT_SAMPLE))
    for n, row in enumerate(table):
        if n not in taken:
            for j, sentence in enumerate(split(row[0])):
                yield f"insights-{n:04d}-{j:03d}", sentence


def _ipe_sentences(repo: Path) -> Iterator[tuple[str, str]]:
    taken = {item["id"] for item in ipe(repo)}
    for part in ("train", "dev"):
        for n, row in enumerate(rows(read(repo, f"data/IndiaPoliceEvents_sents/{part}.tsv"))):
            if f"ipe-{part}-{n:05d}" not in taken and row:
                yield f"ipes-{part}-{n:05d}", " ".join(row[0].split())


def _ipe_test_sentences(repo: Path) -> Iterator[tuple[str, str]]:
    """``data/IndiaPoliceEvents_sents/test.tsv``: the same Gujarat 2002 reports' test file (ConfliBERT's; not on
    this project's held-out list), one sentence a row."""
    for n, row in enumerate(rows(read(repo, "data/IndiaPoliceEvents_sents/test.tsv"))):
        if row:
            yield f"ipet-{n:05d}", " ".join(row[0].split())


def _muc4_file_sentences(repo: Path, path: str, prefix: str) -> Iterator[tuple[str, str]]:
    docs = json.loads(read(repo, path))
    for key in sorted(docs):
        for j, sentence in enumerate(split(docs[key]["doc"].replace("\n", " "))):
            yield f"{prefix}-{key}-{j:03d}", sentence


def _muc4_dev_sentences(repo: Path) -> Iterator[tuple[str, str]]:
    """``data/muc4/dev.json``: the TST1 and TST2 documents."""
    return _muc4_file_sentences(repo, "data/muc4/dev.json", "muc4d")


def _re3d_sentences(repo: Path) -> Iterator[tuple[str, str]]:
    for part in ("train", "dev"):
        tokens = [line.rsplit(None, 1)[0] if len(line.split()) > 1 else line.strip()
                  for line in read(repo, f"data/re3d/{part}.txt").splitlines() if line.strip()]
        text = re.sub(r" ([.,;:!?)\]'’”%])|([(\[“‘$]) ", lambda m: m.group(1) or m.group(2), " ".join(tokens))
        for j, sentence in enumerate(split(text)):
            yield f"re3d-{part}-{j:04d}", sentence


def _agnews_items(repo: Path) -> Iterator[tuple[str, str]]:
    """mhjabreel/CharCNN ``data/test_texts.txt``: AG's News test set (7,600 news items of 2004-05, title then
    description, a quarter each World, Sports, Business, Sci/Tech), one item a line."""
    for n, line in enumerate(read(repo, "data/test_texts.txt").splitlines()):
        yield f"agnews-test-{n:04d}", " ".join(line.replace("\\", " ").replace('""', '"').split())


def _muc4_test_sentences(repo: Path) -> Iterator[tuple[str, str]]:
    """``data/muc4/test.json``: the TST3 and TST4 documents (ConfliBERT's MUC-4 test file; not held out)."""
    return _muc4_file_sentences(repo, "data/muc4/test.json", "muc4t")


def _bbc_rest_sentences(repo: Path) -> Iterator[tuple[str, str]]:
    """``data/BBC_News/dev.tsv`` and ``test.tsv``: BBC articles of 2004-05 (lower-cased), split as ``bbc`` splits."""
    for part in ("dev", "test"):
        for n, row in enumerate(rows(read(repo, f"data/BBC_News/{part}.tsv"))):
            sentences = [" ".join(s.split()) for s in re.split(r"(?<=[.!?])\s+", row[0]) if len(s.split()) >= 5]
            for j, sentence in enumerate(sentences):
                yield f"bbcs-{part}-{n:04d}-{j:03d}", sentence


def _insight_rest_sentences(repo: Path) -> Iterator[tuple[str, str]]:
    """``data/insightCrime/dev.tsv`` and ``test.tsv``: InSight Crime articles (ConfliBERT's; not held out)."""
    for part in ("dev", "test"):
        for n, row in enumerate(rows(read(repo, f"data/insightCrime/{part}.tsv"))):
            for j, sentence in enumerate(split(row[0])):
                yield f"insightt-{part}-{n:04d}-{j:03d}", sentence


def _ag_clean(text: str) -> str:
    text = text.replace("\\", " ").replace(" #39;", "'").replace("#39;", "'").replace(" #36;", " $")
    return " ".join(text.replace("quot;", '"').replace("&lt;", "<").replace("&gt;", ">").split())


def _ag_lst_items(repo: Path) -> Iterator[tuple[str, str]]:
    """lst11111/bert-text-classification ``data/ag_news/{train,dev,test}.csv``: 7,000 AG's News items (title and
    description run together, then the class), a sample its author drew from the AG's News training set."""
    for part in ("train", "dev", "test"):
        for n, row in enumerate(csv.reader(read(repo, f"data/ag_news/{part}.csv").splitlines())):
            if row:
                yield f"agl-{part}-{n:04d}", _ag_clean(row[0])


def _ag_keaml_items(repo: Path) -> Iterator[tuple[str, str]]:
    """KEAML-JLU/DeepTextClustering ``data/ag_news/{train,test}.csv``: 8,000 AG's News items (the class, then the
    description, tokenised: spaces before punctuation, apostrophes dropped)."""
    for part in ("train", "test"):
        for n, row in enumerate(csv.reader(read(repo, f"data/ag_news/{part}.csv").splitlines())):
            if len(row) >= 2:
                text = re.sub(r" ([.,;:!?)'])", r"\1", " ".join(row[1:]).replace(" s ", "'s ")).replace("( ", "(")
                yield f"agk-{part}-{n:04d}", _ag_clean(text)


def _conll_sentences(repo: Path) -> Iterator[tuple[str, str]]:
    """zhangjiawei98/BARTNER ``data/conll2003/{train,dev,test}.txt``: the CoNLL-2003 English sentences (Reuters
    world, business and sports news of August 1996 to 1997, one token and its entity tag a line, a blank line
    between sentences), tokens rejoined. None is on the held-out list."""
    for part in ("train", "dev", "test"):
        for n, block in enumerate(read(repo, f"data/conll2003/{part}.txt").split("\n\n")):
            tokens = [line.rsplit(" ", 1)[0] for line in block.splitlines() if line.strip()]
            text = re.sub(r" ([.,;:!?)\]'%]|n't|'s)|([(\[$]) ", lambda m: m.group(1) or m.group(2), " ".join(tokens))
            if text:
                yield f"conll-{part}-{n:05d}", text


def _isot_sentences(repo: Path) -> Iterator[tuple[str, str]]:
    """Vatshayan/Fake-News-Prediction ``True.csv``: the real-news half of the ISOT fake-news dataset, Reuters
    articles of late 2017 (US politics: North Korea, Iran, Jerusalem, Russia, Congress, courts), columns title,
    text, subject, date. The repository keeps the first 2.5 MB of the file (988 articles; the last row is cut
    off and skipped). The dateline ("WASHINGTON (Reuters) - ") is dropped; each article split by the frozen
    splitter, one sentence an item. None is on the held-out list."""
    rows = list(csv.reader(read(repo, "True.csv").splitlines(keepends=True)))
    for n, row in enumerate(rows[1:-1]):
        if len(row) != 4:
            continue
        text = re.sub(r"^[^()]{0,80}\(Reuters\) - ", "", row[1].strip())
        for k, sentence in enumerate(split(text)):
            yield f"isot-{n:04d}-{k:03d}", sentence


#: Reuters-21578's 22 files as loki86/ksr_zadanie1V2 keeps them: the repository trimmed its own working copy of
#: the fourth file (``reut2-003.sgm``) and kept the original beside it as ``reut2-003-full.sgm``.
REUTERS_FILES = [f"reut2-{n:03d}{'-full' if n == 3 else ''}.sgm" for n in range(22)]
_REUTERS_DATELINE = re.compile(r"^[^-]{0,80}?\b(?:Jan|Feb|March|April|May|June|July|Aug|Sept|Oct|Nov|Dec)\w*\s+"
                               r"\d{1,2}\s+-\s+")


def _reuters_sentences(repo: Path) -> Iterator[tuple[str, str]]:
    """Reuters-21578 (the 21,578 Reuters newswire stories of 1987 published by David Lewis; SGML, one
    ``<REUTERS NEWID=...>`` element a story with its ``<TITLE>`` and ``<BODY>``): the body of each story with
    its dateline ("BAHRAIN, March 27 - ") and closing "Reuter" dropped, lines rejoined, split by the frozen
    splitter, one sentence an item (``reuters-<NEWID>-<k>``). Mostly business news, but also the Gulf tanker war,
    Iran and Iraq, Afghanistan, Central America and Lebanon in the words of a wire service. Not on the held-out
    list."""
    import html

    for name in REUTERS_FILES:
        for story in re.finditer(r'<REUTERS[^>]*NEWID="(\d+)"[^>]*>(.*?)</REUTERS>', read(repo, name), re.S):
            body = re.search(r"<BODY>(.*?)</BODY>", story.group(2), re.S)
            if body is None:
                continue
            text = html.unescape(body.group(1)).replace("\x03", " ")
            text = re.sub(r"\s*\bReuter\s*$", "", text.strip())
            text = _REUTERS_DATELINE.sub("", " ".join(text.split()))
            for k, sentence in enumerate(split(text)):
                yield f"reuters-{int(story.group(1)):05d}-{k:03d}", sentence


def _huff_rows(repo: Path, path: str, prefix: str) -> Iterator[tuple[str, str]]:
    """HuffPost News Category items, one JSON object a line (category, headline, short description, date). An item
    is the headline, given a full stop where it has none, then the short description, as ``agnews`` joins an item's
    title and description; its id is ``<prefix>-<line number>``."""
    for n, line in enumerate(read(repo, path).splitlines()):
        row = json.loads(line)
        headline = " ".join(row["headline"].split())
        if headline and not re.search(r"[.!?][\"'’”]?$", headline):
            headline += "."
        yield f"{prefix}-{n:04d}", " ".join(f"{headline} {row['short_description']}".split())


def _huff_items(repo: Path) -> Iterator[tuple[str, str]]:
    """ongraphpythondev/elastic_search ``News_Category_Dataset_v2.json``: the first 4,782 items (26 February to 26
    May 2018: the strikes on Syria, North Korea's summit, Iran's nuclear deal, Gaza, US politics and crime beside
    entertainment) of Rishabh Misra's HuffPost News Category dataset. Not on the held-out list."""
    return _huff_rows(repo, "News_Category_Dataset_v2.json", "huff")


def _huff22_items(repo: Path) -> Iterator[tuple[str, str]]:
    """Limpery/MGO ``News_Category_Dataset_v3.json``: the newest 9,999 items (1 May 2018 to 23 September 2022,
    newest first) of the same dataset's third edition: Russia's build-up on Ukraine's border, the invasion and the
    war's first seven months, Afghanistan's fall, Iran, North Korea and Gaza beside US politics and entertainment.
    Not on the held-out list."""
    return _huff_rows(repo, "News_Category_Dataset_v3.json", "huff22")


#: fwd/news keeps a rolling ``headlines.json`` whose newest copies are too large for the mirror; this commit's
#: copy (11 July 2022) is the largest there and holds every headline of its earlier copies but a handful.
FWD_COMMIT = "0aa530c49ad08ba989faeddaf9403ea4ce10041b"


def _fwd_items(repo: Path) -> Iterator[tuple[str, str]]:
    """fwd/news ``headlines.json`` at :data:`FWD_COMMIT`: 10,037 headlines of 16 November 2021 to 11 July 2022
    posted to Reddit's news boards (world news, Ukraine, US politics and news beside technology, television and
    sport) and their outlets' own wording: Russia's build-up on Ukraine's border, the invasion and its first
    months. One headline an item (split into sentences where it has a second one), id ``fwd-<index>`` in the
    file's order. Not on the held-out list."""
    for n, row in enumerate(json.loads(read(repo, "headlines.json", FWD_COMMIT))):
        yield f"fwd-{n:05d}", " ".join(str(row.get("title") or "").split())


def _whole_lines(text: str) -> list[str]:
    """A CSV copy's lines after its header, without the last one where the copy stops inside it (no final
    newline): the ABC and Times of India copies are cut at a size, mid-row."""
    lines = text.splitlines()[1:]
    return lines if text.endswith("\n") else lines[:-1]


def _abc_items(repo: Path) -> Iterator[tuple[str, str]]:
    """ZachWolpe/Python-Machine-Learing-Statistics-Latent-Dirichlet-Allocation- ``abcnews-date-text.csv``: the
    first 21,294 headlines (19 February to 2 June 2003: the build-up to the Iraq war, the invasion and its first
    weeks, North Korea, SARS, beside Australian politics, courts, farming and sport) of the Australian Broadcasting
    Corporation's headline archive, lower-cased as published. The copy stops at one MiB, inside its last line,
    which is left out. One headline an item, id ``abc-<row>``. Not on the held-out list."""
    for n, line in enumerate(_whole_lines(read(repo, "abcnews-date-text.csv"))):
        _date, _, headline = line.partition(",")
        yield f"abc-{n:05d}", " ".join(headline.split())


def _toi_items(repo: Path) -> Iterator[tuple[str, str]]:
    """hrPrathigna/tie ``india-news-headlines.csv``: the first 26,016 headlines (2 January to 9 September 2001: the
    Gujarat earthquake, Kashmir's militancy, the Agra summit, the Naxalite and north-east insurgencies beside city,
    business and film news) of the Times of India's headline archive. The copy stops inside its last row, which is
    left out. One headline an item, id ``toi-<row>``. Not on the held-out list."""
    for n, row in enumerate(csv.reader(_whole_lines(read(repo, "india-news-headlines.csv")))):
        if len(row) >= 3:
            yield f"toi-{n:05d}", " ".join(row[2].split())


#: The chosen sources: their ids chosen by ``choose.py`` (``<source>_ids.txt``); one sentence an item, except
#: the DOCUMENTS sources, whose items are short texts split into sentences.
SENTENCE_SOURCES: dict[str, Callable[[Path], Iterator[tuple[str, str]]]] = {
    "insights": _insight_sentences, "ipes": _ipe_sentences, "muc4d": _muc4_dev_sentences, "re3d": _re3d_sentences,
    "agnews": _agnews_items, "muc4t": _muc4_test_sentences, "bbcs": _bbc_rest_sentences,
    "insightt": _insight_rest_sentences, "agl": _ag_lst_items, "agk": _ag_keaml_items, "conll": _conll_sentences,
    "isot": _isot_sentences, "reuters": _reuters_sentences, "huff": _huff_items,
    "huff22": _huff22_items, "fwd": _fwd_items, "abc": _abc_items,
    "toi": _toi_items, "ipet": _ipe_test_sentences,
}
DOCUMENTS = {"agnews", "agl", "agk", "huff", "huff22", "fwd"}
#: The repository each chosen source reads (the command-line option that names it).
REPOSITORY = {"agnews": "charcnn", "agl": "ag_lst", "agk": "ag_keaml", "conll": "conll", "isot": "isot",
              "reuters": "reuters", "huff": "huff", "huff22": "huff22", "fwd": "fwd", "abc": "abc", "toi": "toi"}


def chosen_sentences(repo: Path, source: str) -> list[dict[str, object]]:
    wanted = set((HERE / f"{source}_ids.txt").read_text(encoding="utf-8").split())
    return [{"id": i, "sentences": split(s) if source in DOCUMENTS else [s]}
            for i, s in SENTENCE_SOURCES[source](repo) if i in wanted]


def case(repo: Path) -> list[dict[str, object]]:
    wanted = {json.loads(line)["id"] for line in
              (HERE.parents[3] / "shared/eval/case_dev.jsonl").read_text().splitlines() if line.strip()}
    text = read(repo, "task2/test_dataset/test_set_final_release_with_labels.tsv")
    items = []
    for row in rows(text)[1:]:
        if row and row[0] in wanted:  # only the development ids: the rest is held out
            items.append({"id": f"case-{row[0]}", "sentences": split(row[1])})
    return items


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--conflibert", type=Path, required=True, help="eventdata/ConfliBERT work tree or git dir")
    ap.add_argument("--case", type=Path, help="emerging-welfare/case-2021-shared-task work tree or git dir")
    ap.add_argument("--charcnn", type=Path, help="mhjabreel/CharCNN work tree or git dir (AG's News test set)")
    ap.add_argument("--ag-lst", type=Path, help="lst11111/bert-text-classification git dir (an AG's News sample)")
    ap.add_argument("--ag-keaml", type=Path, help="KEAML-JLU/DeepTextClustering git dir (an AG's News sample)")
    ap.add_argument("--conll", type=Path, help="zhangjiawei98/BARTNER git dir (CoNLL-2003 English sentences)")
    ap.add_argument("--isot", type=Path, help="Vatshayan/Fake-News-Prediction git dir (ISOT's Reuters articles)")
    ap.add_argument("--reuters", type=Path, help="loki86/ksr_zadanie1V2 git dir (Reuters-21578)")
    ap.add_argument("--huff", type=Path, help="ongraphpythondev/elastic_search git dir (HuffPost news of 2018)")
    ap.add_argument("--huff22", type=Path, help="Limpery/MGO git dir (HuffPost news of 2018-2022)")
    ap.add_argument("--fwd", type=Path, help="fwd/news git dir (news headlines of November 2021 to July 2022)")
    ap.add_argument("--abc", type=Path, help="ZachWolpe/Python-Machine-Learing-Statistics-Latent-Dirichlet-Allocation- "
                    "git dir (ABC News headlines of 2003)")
    ap.add_argument("--toi", type=Path, help="hrPrathigna/tie git dir (Times of India headlines of 2001)")
    ap.add_argument("--out", type=Path, default=HERE / "texts")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    sets = {"satp": satp(args.conflibert), "cameo": cameo(args.conflibert), "ipe": ipe(args.conflibert),
            "muc4": muc4(args.conflibert), "insight": insight(args.conflibert), "bbc": bbc(args.conflibert),
            "muc4s": muc4s(args.conflibert)}
    for source in SENTENCE_SOURCES:
        repo = getattr(args, REPOSITORY.get(source, "conflibert"))
        if (HERE / f"{source}_ids.txt").exists() and repo is not None:
            sets[source] = chosen_sentences(repo, source)
    if args.case:
        sets["case"] = case(args.case)
    for name, items in sets.items():
        with (args.out / f"{name}.jsonl").open("w", encoding="utf-8") as fh:
            for item in items:
                fh.write(json.dumps(item, ensure_ascii=False) + "\n")
        print(f"{args.out / name}.jsonl: {len(items)} items")


if __name__ == "__main__":
    main()
