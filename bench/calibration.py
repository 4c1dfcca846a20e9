"""Calibration (issue 9): what a score means, per score band, on the shared split and on labelled pairs from
the real published lists; a reliability curve as a PNG.

Labelled real-world pairs (../shared/data/published, the files as the banks publish them):
* positives, ``alias:*``: every alias a list gives for one of its entries (World Bank "Additional Firm
  Info" aliases, EBRD and IDB "Other Name"/bracketed names, "formerly known as" parts), screened against
  that list with the aliases taken out of the index: the query is the alias, the expected hit the entry.
  Tagged by what the alias is: ``han_script`` (a Chinese name for a Latin one), ``other_script``,
  ``acronym`` (one short capitalised word), ``shortened`` (its words are a subset of the name's),
  ``renamed`` (no word in common: MUE Group for Al Ula Engineering Bureau; no name matcher can find it),
  ``variant`` (the rest: another spelling, legal form or order);
* negatives, ``near_miss:*``: for each entry, the *other* entry of the same list closest to it by a
  rapidfuzz WRatio scan (at least 80; independent of our engine), pairs whose names are equal once rigour
  has removed the legal forms and accents and punctuation are folded (the same firm listed twice: "Pvt
  Ltd" / "Private Limited", "Ingenieria" / "Ingeniería") left out: two firms the publisher lists
  separately, often a parent and its branch or two sister subsidiaries. Tagged ``number`` (they differ only in a number:
  the IDB's 1st/2nd/3rd Construction Branch), ``branch`` (one is a branch of the other), ``other``.
* cross-debarments, ``cross:*`` / ``cross_near_miss:*``: each EBRD or IDB row of World Bank origin whose
  firm is on the World Bank file (bench/_crosslist_truth.py, without our engine), screened against the
  World Bank list: the positive is the row with its World Bank counterpart (the same firm as two banks
  write it), tagged ``exact`` (the same string up to case and spaces), ``legal_form`` (the same once legal
  forms, accents and punctuation are gone), ``compound`` (a bracket, an alias marker or a person's role in
  the row), ``spelling`` (as many distinctive words, spelt otherwise: typos, transliterations) or
  ``words`` (words added or dropped); the negative is the row with the World Bank entry closest to it by a
  WRatio scan (at least 80) that is not a counterpart nor the same name: another firm, often a sister
  branch, tagged like the near misses above;
* the shared split: each positive query with the score of its expected entry, each decoy with its best
  hit's score.

Per band (0.5-0.6 ... 0.9-1.0): pairs in the band, precision in the band, recall at the band's lower
bound (share of positives scoring at or above it); F1 per threshold; per phenomenon recall and
precision at the default threshold; the band labels (strong / possible) with their precision. Writes
docs/calibration.png (Pillow, when installed).

    .venv/bin/python bench/calibration.py [--png docs/calibration.png]
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

from rapidfuzz import fuzz, process, utils

from debarlist_match import DEFAULT_THRESHOLD, ListedRecord, MatchIndex, Query
from debarlist_match.normalise import prepare

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # service.importers
sys.path.insert(0, str(ROOT / "bench"))  # screening_quality

PUBLISHED = ROOT.parent / "shared" / "data" / "published"
LISTS = (
    ("worldbank-ineligible-2025-07-01.xlsx", "worldbank"),
    ("ebrd-ineligible.csv", "ebrd"),
    ("idb-sanctioned.xlsx", "idb"),
)
BANDS = [(0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.0001)]
_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")

# (source, kind, label, score, band)
Pair = tuple[str, str, bool, float, str]


def _same_name(a: str, b: str) -> bool:
    """Equal without legal forms, accents, case and punctuation (rigour's org types; not our normaliser)."""
    from rigour.names import remove_org_types

    def key(text: str) -> str:
        text = unicodedata.normalize("NFKD", remove_org_types(text.lower(), replacement=" "))
        return " ".join(utils.default_process("".join(c for c in text if not unicodedata.combining(c))).split())

    return key(a) == key(b)


def _score(index: MatchIndex, query: Query, key: str) -> tuple[float, str]:
    for h in index.search(query, threshold=0.0, limit=50):
        if h.key == key:
            return h.score, h.band
    return 0.0, "weak"


def _alias_kind(name: str, alias: str) -> str:
    if _HAN.search(alias):
        return "han_script"
    if not _LATIN.search(alias):
        return "other_script"
    words = alias.split()
    if len(words) == 1 and len(alias) <= 7 and alias.upper() == alias:
        return "acronym"
    a, n = set(prepare(alias).skels), set(prepare(name).skels)
    if a and a <= n and a != n:
        return "shortened"
    if not a & n:
        return "renamed"
    return "variant"


def _near_miss_kind(name: str, other: str) -> str:
    """``number`` (the two differ only in a number), ``branch`` (one is a branch) or ``other``."""
    a, b = prepare(name), prepare(other)
    if {f for f in a.folds if f.isdigit()} != {f for f in b.folds if f.isdigit()} and \
            {f for f in a.folds if not f.isdigit()} == {f for f in b.folds if not f.isdigit()}:
        return "number"
    return "branch" if re.search(r"branch|filial|sucursal", name + " " + other, re.I) else "other"


def real_pairs() -> list[Pair]:
    from service.importers import parse_file

    pairs: list[Pair] = []
    for filename, fmt in LISTS:
        entries = [row.entry for row in parse_file(PUBLISHED / filename, fmt) if row.entry]
        index = MatchIndex()
        for n, e in enumerate(entries):
            index.add(ListedRecord(key=str(n), kind=e["kind"], name=e["name"], country=e["country"]))
        for n, e in enumerate(entries):
            for alias in dict.fromkeys(e["aliases"]):
                if alias.strip().casefold() == e["name"].strip().casefold():
                    continue
                s, b = _score(index, Query(name=alias, country=e["country"], kind=e["kind"]), str(n))
                pairs.append((fmt, f"alias:{_alias_kind(e['name'], alias)}", True, s, b))
        names = [utils.default_process(e["name"]) for e in entries]
        for n, e in enumerate(entries):
            best = None
            for _, wr, k in process.extract(names[n], names, scorer=fuzz.WRatio, processor=None, limit=6):
                if k != n and wr >= 80 and not _same_name(e["name"], entries[k]["name"]):
                    best = k
                    break
            if best is None:
                continue
            kind = _near_miss_kind(e["name"], entries[best]["name"])
            s, band = _score(index, Query(name=e["name"], country=e["country"], kind=e["kind"]), str(best))
            pairs.append((fmt, f"near_miss:{kind}", False, s, band))
    return pairs


_COMPOUND = re.compile(r"\(|formerly|also know|a\.?k\.?a|f/k/a|d/b/a|,\s*(?:founder|owner|director|president)", re.I)


def cross_pairs() -> list[Pair]:
    from _crosslist_truth import Truth, load, squeezed, words

    wb, rows = load(PUBLISHED)
    truth = Truth(wb)
    index = MatchIndex()
    for n, e in enumerate(wb):
        index.add(ListedRecord(key=str(n), kind=e["kind"], name=e["name"], aliases=tuple(e["aliases"]),
                               country=e["country"]))  # fmt: skip
    names = [utils.default_process(e["name"]) for e in wb]
    pairs: list[Pair] = []
    for _, row in rows:
        want = truth.counterparts(row)
        if not want:
            continue
        query = Query(name=row["name"], aliases=tuple(row["aliases"]), country=row["country"])
        scored = {h.key: (h.score, h.band) for h in index.search(query, threshold=0.0, limit=50)}
        score, band = max((scored.get(str(n), (0.0, "weak")) for n in want), key=lambda sb: sb[0])
        other_names = [wb[n]["name"] for n in want]
        if any(" ".join(row["name"].casefold().split()) == " ".join(o.casefold().split()) for o in other_names):
            kind = "exact"
        elif any(squeezed(row["name"]) == squeezed(o) for o in other_names):
            kind = "legal_form"
        elif _COMPOUND.search(row["name"]) or any(_COMPOUND.search(o) for o in other_names):
            kind = "compound"
        elif any(len(words([row["name"]])) == len(words([o])) for o in other_names):
            kind = "spelling"
        else:
            kind = "words"
        pairs.append(("cross", f"cross:{kind}", True, score, band))
        q = utils.default_process(row["name"])
        for _, wr, k in process.extract(q, names, scorer=fuzz.WRatio, processor=None, limit=8):
            if wr < 80:
                break
            if k in want or any(_same_name(wb[k]["name"], o) for o in other_names):
                continue
            near = _near_miss_kind(row["name"], wb[k]["name"])
            s, b = scored.get(str(k), (0.0, "weak"))
            pairs.append(("cross", f"cross_near_miss:{near}", False, s, b))
            break
    return pairs


def shared_pairs() -> list[Pair]:
    from screening_quality import DATA, build, load, to_query

    entries, queries = load(DATA)
    index = build(entries)
    pairs: list[Pair] = []
    for q in queries:
        hits = index.search(to_query(q), threshold=0.0, limit=10)
        if q["expect"] is None:
            top = hits[0] if hits else None
            pairs.append(("shared", "decoy", False, top.score if top else 0.0, top.band if top else "weak"))
        else:
            h = next((h for h in hits if h.key == q["expect"]), None)
            pairs.append(("shared", q["kind"], True, h.score if h else 0.0, h.band if h else "weak"))
    return pairs


def band_table(pairs: list[Pair]) -> tuple[str, list[tuple[float, float, int]]]:
    positives = sum(1 for p in pairs if p[2])
    lines = [f"{'band':12}{'pairs':>7}{'pos':>6}{'neg':>6}{'precision':>11}{'recall >=':>11}"]
    curve: list[tuple[float, float, int]] = []
    for lo, hi in BANDS:
        inside = [p for p in pairs if lo <= p[3] < hi]
        pos = sum(1 for p in inside if p[2])
        prec = pos / len(inside) if inside else float("nan")
        rec = sum(1 for p in pairs if p[2] and p[3] >= lo) / positives if positives else 0.0
        lines.append(f"{lo:.1f}-{min(hi, 1.0):.1f}".ljust(12) + f"{len(inside):>7}{pos:>6}{len(inside) - pos:>6}"
                     f"{prec:>11.3f}{rec:>11.3f}")  # fmt: skip
        if inside:
            curve.append(((lo + min(hi, 1.0)) / 2, prec, len(inside)))
    return "\n".join(lines), curve


def f1_at(pairs: list[Pair], t: float) -> tuple[float, float, float]:
    tp = sum(1 for p in pairs if p[2] and p[3] >= t)
    fp = sum(1 for p in pairs if not p[2] and p[3] >= t)
    pos = sum(1 for p in pairs if p[2])
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / pos if pos else 0.0
    return prec, rec, 2 * prec * rec / (prec + rec) if prec + rec else 0.0


def per_kind(pairs: list[Pair], t: float) -> str:
    groups: dict[str, list[Pair]] = defaultdict(list)
    for p in pairs:
        groups[p[1]].append(p)
    lines = [f"{'kind':28}{'n':>6}{'recall':>9}{'false alarms':>14}"]
    for kind, ps in sorted(groups.items()):
        if ps[0][2]:
            lines.append(f"{kind:28}{len(ps):>6}{sum(p[3] >= t for p in ps) / len(ps):>9.3f}{'':>14}")
        else:
            lines.append(f"{kind:28}{len(ps):>6}{'':>9}{sum(p[3] >= t for p in ps) / len(ps):>14.3f}")
    return "\n".join(lines)


def band_labels(pairs: list[Pair], t: float) -> str:
    lines = []
    for label in ("strong", "possible"):
        inside = [p for p in pairs if p[4] == label and p[3] >= t]
        if inside:
            pos = sum(1 for p in inside if p[2])
            lines.append(f"  {label:9} {len(inside):>5} hits, precision {pos / len(inside):.3f}")
    return "\n".join(lines)


def draw(curves: dict[str, list[tuple[float, float, int]]], path: Path) -> bool:
    try:
        from PIL import Image, ImageDraw
    except ImportError:
        return False
    w, h, m = 640, 480, 60
    img = Image.new("RGB", (w, h), "white")
    d = ImageDraw.Draw(img)

    def xy(x: float, y: float) -> tuple[float, float]:
        return m + (x - 0.5) / 0.5 * (w - 2 * m), h - m - y * (h - 2 * m)

    d.rectangle([xy(0.5, 1.0), xy(1.0, 0.0)], outline="black")
    for k in range(6):
        x = 0.5 + k * 0.1
        d.text((xy(x, 0)[0] - 8, h - m + 6), f"{x:.1f}", fill="black")
        d.text((m - 30, xy(0.5, k * 0.2)[1] - 6), f"{k * 0.2:.1f}", fill="black")
    d.line([xy(0.5, 0.5), xy(1.0, 1.0)], fill=(170, 170, 170), width=1)  # a perfectly calibrated score
    d.line([xy(DEFAULT_THRESHOLD, 0), xy(DEFAULT_THRESHOLD, 1)], fill=(200, 120, 120), width=1)
    d.text((xy(DEFAULT_THRESHOLD, 1)[0] + 4, m + 4), f"default threshold {DEFAULT_THRESHOLD}", fill=(160, 60, 60))
    colours = [(30, 90, 200), (220, 120, 20), (40, 150, 60)]
    for k, (name, pts) in enumerate(curves.items()):
        c = colours[k % len(colours)]
        d.line([xy(x, y) for x, y, _ in pts], fill=c, width=3)
        for x, y, n in pts:
            px, py = xy(x, y)
            d.ellipse([px - 4, py - 4, px + 4, py + 4], fill=c)
            d.text((px + 6, py + 4), str(n), fill=c)
        d.text((m + 10, m + 10 + 16 * k), f"{name}: precision per score band (n per point)", fill=c)
    d.text((w // 2 - 40, h - 24), "score band", fill="black")
    d.text((6, m - 24), "precision", fill="black")
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path)
    return True


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--png", type=Path, default=ROOT / "docs" / "calibration.png")
    args = ap.parse_args()
    sets = {"shared split": shared_pairs(), "cross-debarments": cross_pairs(), "published lists": real_pairs()}
    curves: dict[str, list[tuple[float, float, int]]] = {}
    for name, pairs in sets.items():
        print(f"\n== {name}: {len(pairs)} pairs ({sum(p[2] for p in pairs)} positive) ==")
        table, curve = band_table(pairs)
        curves[name] = curve
        print(table)
        print("threshold  precision  recall   F1")
        for t in (0.6, 0.65, 0.7, DEFAULT_THRESHOLD, 0.75, 0.8, 0.85, 0.9):
            p, r, f = f1_at(pairs, t)
            print(f"{t:<10}{p:>10.3f}{r:>8.3f}{f:>6.3f}" + ("  <- default" if t == DEFAULT_THRESHOLD else ""))
        print(f"at the default threshold {DEFAULT_THRESHOLD}:")
        print(per_kind(pairs, DEFAULT_THRESHOLD))
        print("bands of the hits at the default threshold:")
        print(band_labels(pairs, DEFAULT_THRESHOLD))
    if draw(curves, args.png):
        print(f"\nreliability curve: {args.png}")
    else:
        print("\nPillow not installed: no PNG")


if __name__ == "__main__":
    main()
