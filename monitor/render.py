"""Human-readable rendering of findings: each with its evidence shown inside its sentence."""

from __future__ import annotations

import textwrap

from monitor.model import Alert, Article, Finding
from monitor.text.sentences import sentence_at, split_sentences


def evidence_in_context(article: Article, finding: Finding, mark: tuple[str, str] = ("»", "«")) -> list[str]:
    """Each evidence span inside its sentence, the evidence itself marked."""
    spans = split_sentences(article.text)
    lines = []
    for ev in finding.evidence:
        if article.text[ev.start:ev.end] != ev.text:  # evidence from another article (a digest): show it alone
            lines.append(f"{mark[0]}{ev.text}{mark[1]}")
            continue
        sent = sentence_at(spans, ev.start)
        s, e = (sent.start, sent.end) if sent else (max(0, ev.start - 80), min(len(article.text), ev.end + 80))
        s, e = min(s, ev.start), max(e, ev.end)
        text = article.text
        lines.append(f"{text[s:ev.start]}{mark[0]}{text[ev.start:ev.end]}{mark[1]}{text[ev.end:e]}")
    return lines


def render_text(article: Article, findings: list[Finding], where: str, *, explain: bool = False) -> str:
    """The block ``monitor check`` prints for one article; ``explain`` adds each finding's reasons (the
    features that weighed most in its learned decision, signed) and its full reading."""
    words = len(article.text.split())
    head = f"{where}"
    if article.title:
        head += f" — {article.title}"
    out = [head, f"  article {article.id} · {words} words · {len(findings)} finding(s)"]
    for f in findings:
        out.append(f"  [{f.severity.value}] {f.detector}: {f.summary} (score {f.score:.2f})")
        if explain:
            why = f.attributes.get("why")
            if why:
                out.append(f"      why: {', '.join(str(w) for w in why)}")
            reading = {k: v for k, v in f.attributes.items() if k != "why"}
            out.append(f"      reading: {', '.join(f'{k}={v}' for k, v in reading.items())}")
        for line in evidence_in_context(article, f):
            wrapped = textwrap.fill(" ".join(line.split()), width=100, initial_indent="      ",
                                    subsequent_indent="      ")
            out.append(wrapped)
    return "\n".join(out)


def event_lines(alert: Alert) -> list[str]:
    """The event an alert is about, for people (console, e-mail, chat presets): the event and whether this is
    its first alert or an update, what changed, and each figure with its sources. Empty for per-article alerts."""
    ev = alert.event
    if ev is None:
        return []
    where = ", ".join(x for x in (", ".join(ev.places), ev.country) if x)
    head = f"{'UPDATE ' + str(ev.sequence - 1) if ev.sequence > 1 else 'NEW EVENT'}: {ev.headline}"
    lines = [head + (f" ({where})" if where else ""),
             f"event {ev.id} · {ev.articles} article(s) · sources: {', '.join(ev.sources) or '-'} · "
             f"first seen {ev.first_seen}"]
    if ev.sequence > 1:
        lines += [f"changed: {c.text}" for c in ev.changes]
    for f in ev.figures:
        others = [s for s in f.sources if s != f.source]
        lines.append(f"figure: {f.value} {f.kind} ({f.qualifier}) — {f.source or '?'} at {f.stated_at}"
                     + (f", also {', '.join(others)}" if others else ""))
    return lines
