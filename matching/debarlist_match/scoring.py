"""Scoring: IDF-weighted token alignment plus weak evidence from legal form, country, identifiers.

Name similarity is a weighted Dice over aligned tokens:

    name = sum(sim(q, l) * (w(q) + w(l)) for aligned pairs) / (sum w(query tokens) + sum w(listed tokens))
           - SUBSTITUTION * min(unmatched query weight share, unmatched listed weight share)

``w`` is the IDF of the token's skeleton in the index, so a shared generic word
("Stroy", "Services") adds little while an unmatched distinctive word costs a
lot.  A word missing on one side (dropped sector word, added "Group") costs its
weight share only; a word *replaced* by another (both sides have leftovers) is
the signature of a different firm and costs an extra substitution penalty.
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

from debarlist_match.given_names import DIMINUTIVE_SIM, given_name_similarity, known_names
from debarlist_match.legal_forms import coarse
from debarlist_match.normalise import places
from debarlist_match.pinyin import both_pinyin

MIN_TOKEN_SIM = 0.72  # below this two tokens are different words, not a typo
SKELETON_DISCOUNT = 0.96  # same skeleton but different spelling: transliteration variant
SUBSTITUTION = 0.45
ORDER_BONUS = 0.01
LEGAL_BONUS = 0.02
LEGAL_PENALTY = 0.07  # 1.5: a conflicting legal form (AG / GmbH) is evidence against, not a tie-breaker
COUNTRY_BONUS = 0.02
COUNTRY_PENALTY = 0.12
KIND_PENALTY = 0.10
ID_CONFLICT_PENALTY = 0.05
ID_MATCH_FLOOR = 0.95  # a strong identifier match alone scores at least this (above any sane threshold)
PLACE_WEIGHT = 0.25  # share of its IDF a place word keeps (see places.py), unless places differ
INITIAL_SIM = 0.8  # "J." for "John": a partial match
STEM_SIM = 0.3  # "Constructora"/"Construcciones": the same common word inflected (weak: it may be a translation)
STEM_MIN_PREFIX = 5
PREFIX_SIM = 0.75  # "Tekh" for "Tekhnologii": a shortened *common* word (never an edit-model value)
NUMBER_PENALTY = 0.25  # both names carry a number and they differ: another member of a series (7 vs 9)
QUALIFIER_PENALTY = 0.07  # a place closing only one name ("Orion Group Kazakhstan"): maybe a subsidiary
GENERIC_WEIGHT = 0.3  # share of its IDF an organisational word ("Group", "International") keeps
# Organisational words that firms add and drop ("Balkan Trans International Ltd" / "Balkan Trans Ltd"): they
# keep GENERIC_WEIGHT of their weight wherever they stand, matched or not (the index's word weights apply
# it).  Written as folds; their skeletons are compared.  Legal forms are not here (legal_forms.py strips
# them); sector words are not either ("Stroy", "Services" tell firms apart, their IDF is what they are worth).
GENERIC_WORDS = frozenset(
    str.split(
        "group groupe gruppe grupo gruppo grupa grup gruppa группа групп "
        "international internacional internazionale internationale internasional интернешнл интернэшнл "
        "company companies compania compagnie compagnia kompaniya kompania компания "
        "holding holdings kholding холдинг "
        "corporation corporacion corporazione korporatsiya корпорация "
        "enterprise enterprises worldwide global industries"
    )
)


def _edit_similarity(a: str, b: str) -> float:
    """Typo model: one edit (insert/delete/substitute/transpose) is a typo, two are a typo only in long
    words; more is a different word.  Near-identical short words ("Vega"/"Vera", "Larsson"/"Karlsson")
    are different names, so the tolerance grows with length instead of being a flat ratio."""
    return _edit_from_distance(a, b, OSA.distance(a, b, score_cutoff=3))


def _edit_from_distance(a: str, b: str, d: int) -> float:
    """Edits allowed grow with the word: 1 from 5 letters, 2 from 10, 3 from 18; each edit costs more in a
    short word.  A short surname one letter off ("Nielsen"/"Nilsen", 0.84) is a possible match, not an exact
    one; a long distinctive word two letters off ("Kogonneftegazenergoservis"/"...service", 0.87) is still
    the same word.  Digits are exact (numbers: a different number is another entity)."""
    if d == 0:
        return 1.0
    longest = max(len(a), len(b))
    if longest <= 3 or a.isdigit() or b.isdigit():
        return 0.0
    if d == 1:
        if longest == 4:
            # In a four-letter word only a swap of neighbours (Fram/Farm) is a typo; a changed letter
            # is usually another word (Vega/Vera).
            return 0.8 if Levenshtein.distance(a, b) == 2 else 0.0
        return 0.8 if longest <= 6 else 0.84 if longest == 7 else 0.9
    if d == 2 and longest >= 10:
        return 0.78 if longest < 14 else 0.87
    if d == 3 and longest >= 18:
        return 0.82
    return 0.0


def _cutoff(token: str) -> int:
    """The most edits any partner of ``token`` may be away (see _edit_from_distance)."""
    n = len(token)
    return 3 if n >= 17 else 2 if n >= 8 else 1


def token_similarity(qf: str, qs: str, lf: str, ls: str) -> float:
    """Similarity of two tokens given (fold, skeleton) forms, in [0, 1]."""
    if qf == lf:
        return 1.0
    if qs == ls:
        return SKELETON_DISCOUNT
    sim = max(_edit_similarity(qf, lf), _edit_similarity(qs, ls) * SKELETON_DISCOUNT)
    # Abbreviation: "Int" for "International", "Tekh" for "Tekhnologii"; only for prefixes of 3+ letters, and
    # compare_names keeps it only when the long word is a common one (a prefix of a distinctive word is
    # another word: "Ivan"/"Ivanov", "Tekh"/"Tekhas").
    short, long_ = (qf, lf) if len(qf) < len(lf) else (lf, qf)
    if len(short) >= 3 and long_.startswith(short) and short != long_ and not short.isdigit():
        sim = max(sim, PREFIX_SIM)
    elif _is_initial(short, long_):
        sim = max(sim, INITIAL_SIM)
    return sim


def _is_initial(short: str, long_: str) -> bool:
    """A single letter standing for a word that starts with it ("J." for "John")."""
    return len(short) == 1 and len(long_) > 1 and short.isalpha() and long_[0] == short


def _stem_match(a: str, b: str) -> bool:
    """The same word with another ending: a long shared beginning covering most of the shorter word
    ("Constructora"/"Construcciones", "Servicios"/"Services").  Only asked for frequent words."""
    n = min(len(a), len(b))
    need = max(STEM_MIN_PREFIX, (2 * n + 2) // 3)
    return n >= need and a[:need] == b[:need]


class SimCache:
    """Per-query token-pair similarities.

    ``prime`` computes, in one vectorised rapidfuzz pass per query token, which tokens of the candidate
    pool are within typo distance or abbreviations of it; every other (query token, pool token) pair is
    then known to be below MIN_TOKEN_SIM without calling the typo model.  Pairs outside the primed sets
    (tokens created by joining words) fall back to ``token_similarity``."""

    __slots__ = ("pool", "primed_q", "sims")

    def __init__(self) -> None:
        self.sims: dict[tuple[str, str], float] = {}
        self.primed_q: set[str] = set()
        self.pool: set[str] = set()

    def prime(self, query: Iterable[tuple[str, str]], pool: Iterable[tuple[str, str]]) -> None:
        uniq = list(dict.fromkeys(pool))
        folds = [f for f, _ in uniq]
        skels = [s for _, s in uniq]
        by_fold = sorted(range(len(folds)), key=folds.__getitem__)
        sorted_folds = [folds[k] for k in by_fold]
        fold_at = {f: k for k, f in enumerate(folds)}
        sims = self.sims
        for qf, qs in dict.fromkeys(query):
            near: dict[int, float] = {}
            if qf.isdigit():
                # A number pairs only with itself (exact pairs are aligned by hashing, not here).
                self.primed_q.add(qf)
                continue
            # A partner may be longer than the query token: the cutoff is the one of the longest partner
            # within reach (two or three letters more).
            cut = _cutoff(qf + "xx")
            for _, d, k in process.extract(qf, folds, scorer=OSA.distance, score_cutoff=cut, limit=None):
                near[k] = _edit_from_distance(qf, folds[k], d)
            for _, d, k in process.extract(qs, skels, scorer=OSA.distance, score_cutoff=cut, limit=None):
                near[k] = max(near.get(k, 0.0), _edit_from_distance(qs, skels[k], d) * SKELETON_DISCOUNT)
            if len(qf) >= 3:
                # Pool tokens that start with the query token (bisect on the sorted folds) ...
                lo = bisect_left(sorted_folds, qf)
                while lo < len(sorted_folds) and sorted_folds[lo].startswith(qf):
                    near[by_fold[lo]] = max(near.get(by_fold[lo], 0.0), PREFIX_SIM)
                    lo += 1
            for n in range(3, len(qf)):
                # ... and pool tokens the query token starts with.
                k2 = fold_at.get(qf[:n])
                if k2 is not None:
                    near[k2] = max(near.get(k2, 0.0), PREFIX_SIM)
            if len(qf) == 1 and qf.isalpha():
                # An initial: every pool word starting with it.
                lo = bisect_left(sorted_folds, qf)
                while lo < len(sorted_folds) and sorted_folds[lo].startswith(qf):
                    if len(sorted_folds[lo]) > 1:
                        near[by_fold[lo]] = max(near.get(by_fold[lo], 0.0), INITIAL_SIM)
                    lo += 1
            elif len(qf) > 1:
                k2 = fold_at.get(qf[0])
                if k2 is not None and qf[0].isalpha():
                    near[k2] = max(near.get(k2, 0.0), INITIAL_SIM)
            for k, sim in near.items():
                lf = folds[k]
                sims[(qf, lf)] = 1.0 if qf == lf else SKELETON_DISCOUNT if qs == skels[k] else sim
            self.primed_q.add(qf)
        self.pool.update(folds)

    def any_pair(self, q_folds: Sequence[str], l_folds: Sequence[str]) -> bool:
        """Whether any (query, listed) token pair may reach MIN_TOKEN_SIM (unknown pairs count as may)."""
        sims = self.sims
        primed = self.primed_q
        pool = self.pool
        for qf in q_folds:
            known = qf in primed
            for lf in l_folds:
                sim = sims.get((qf, lf))
                if sim is None:
                    if known and lf in pool:
                        continue
                    return True
                if sim >= MIN_TOKEN_SIM:
                    return True
        return False

    def get(self, qf: str, qs: str, lf: str, ls: str) -> float:
        key = (qf, lf)
        sim = self.sims.get(key)
        if sim is None:
            if qf in self.primed_q and lf in self.pool:
                return 0.0
            sim = self.sims[key] = token_similarity(qf, qs, lf, ls)
        return sim


@dataclass(slots=True)
class NameComparison:
    score: float
    pairs: list[tuple[str, str, float]]
    unmatched_query: list[str]
    unmatched_listed: list[str]
    merged: bool
    raw: float = 0.0  # before clipping to [0, 1]: orders names that both clip at 1


_PLACES: frozenset[str] = frozenset()
_GIVEN: frozenset[str] = frozenset()  # given_names.known_names(), loaded on first use
_NO_NAMES: frozenset[str] = frozenset()
_GENERIC: frozenset[str] = frozenset()


def generic_skeletons() -> frozenset[str]:
    """Skeletons of GENERIC_WORDS (built on first use: the skeleton function lives in normalise)."""
    global _GENERIC
    if not _GENERIC:
        from debarlist_match.normalise import token_forms

        _GENERIC = frozenset(token_forms(w)[1] for w in GENERIC_WORDS)
    return _GENERIC


def load_tables() -> None:
    """Build every table the scorer builds on first use (index.warm_up)."""
    _load_places()
    _load_given()
    generic_skeletons()
    both_pinyin("qingyuan", "pingyuan")


def _load_given() -> frozenset[str]:
    global _GIVEN
    _GIVEN = known_names()
    return _GIVEN


def _load_places() -> frozenset[str]:
    global _PLACES
    _PLACES = places()
    return _PLACES


def _discount_place_suffix(skels: Sequence[str], weights: list[float], place_set: frozenset[str]) -> int:
    """Place words closing a name ("... Almaty", "... (Ukraine)", "... Branch") are a qualifier added or
    left out by the writer: they keep PLACE_WEIGHT of their weight.  A place opening or inside the name
    ("Almaty Stroy") is the name itself and keeps its full weight."""
    k = len(skels) - 1
    while k > 0 and skels[k] in place_set:
        weights[k] *= PLACE_WEIGHT
        k -= 1
    return len(skels) - 1 - k


def _merge_joined(a_f: list[str], a_s: list[str], b_s: Sequence[str]) -> tuple[list[str], list[str], bool]:
    """Merge adjacent tokens of side a when their concatenation is a token of side b ("Sibir Stroy" ->
    "Sibirstroy").  Only when neither half already exists on side b."""
    merged = False
    bset = set(b_s)
    # A joined pair is longer than most single words: only words of about its length can be it.
    longest_b = max(map(len, b_s), default=0)
    i = 0 if any(len(x) <= 3 for x in a_s[1:-1]) else len(a_s)
    while i < len(a_s) - 2:
        # Particles: "van den Berg" = "Vandenberg", "de la Cruz" = "Delacruz" (a short middle word, exact).
        if len(a_s[i + 1]) <= 3 and not (bset & {a_s[i], a_s[i + 1], a_s[i + 2]}):
            cat = a_s[i] + a_s[i + 1] + a_s[i + 2]
            if cat in bset:
                a_f[i : i + 3] = [a_f[i] + a_f[i + 1] + a_f[i + 2]]
                a_s[i : i + 3] = [cat]
                merged = True
        i += 1
    i = 0
    while i < len(a_s) - 1:
        if a_s[i] not in bset and a_s[i + 1] not in bset:
            cat = a_s[i] + a_s[i + 1]
            n = len(cat)
            hit = cat in bset or (
                8 <= n <= longest_b + 1
                and any(abs(len(b) - n) <= 1 and OSA.distance(cat, b, score_cutoff=1) <= 1 for b in b_s)
            )
            if hit:
                a_f[i : i + 2] = [a_f[i] + a_f[i + 1]]
                a_s[i : i + 2] = [cat]
                merged = True
                continue
        i += 1
    return a_f, a_s, merged


def _joinable(a_s: Sequence[str], bset: set[str]) -> bool:
    """Whether _merge_joined could merge anything on side a (same test, no mutation)."""
    if len(a_s) < 2:
        return False
    if len(a_s) > 2 and any(len(x) <= 3 for x in a_s[1:-1]):
        for x, y, z in zip(a_s, a_s[1:], a_s[2:], strict=False):
            if len(y) <= 3 and x + y + z in bset:
                return True
    longest_b = max(map(len, bset), default=0)
    for x, y in itertools.pairwise(a_s):
        if x in bset or y in bset:
            continue
        cat = x + y
        n = len(cat)
        if cat in bset or (
            8 <= n <= longest_b + 1
            and any(abs(len(b) - n) <= 1 and OSA.distance(cat, b, score_cutoff=1) <= 1 for b in bset)
        ):
            return True
    return False


def compare_names(
    q_folds: Sequence[str],
    q_skels: Sequence[str],
    l_folds: Sequence[str],
    l_skels: Sequence[str],
    weight: Callable[[str], float],
    cache: SimCache | None = None,
    need: float | None = None,
    stem_max_weight: float = 0.0,
    syllabic: bool = False,
    given_names: bool = False,
) -> NameComparison | None:
    """Weighted token alignment (see module docstring).

    Exact skeleton pairs are aligned first by hashing (the common case, cheap); only the leftovers on
    both sides go through joined/split detection and the pairwise typo model.

    With ``need``, returns None as soon as an upper bound of the score is below it: most candidates
    share a word or a few trigrams with the query and nothing more, and the exact alignment alone
    proves they cannot reach the threshold, so the pairwise typo model (the costly part) is skipped.

    Place words closing a name weigh PLACE_WEIGHT of their IDF (added or dropped, or the same on both sides,
    such a place says little), except when both sides keep an unmatched one: a different place is a
    different word.
    With ``syllabic`` (a Chinese firm or subject, pinyin.py), words that both read as pinyin pair only when
    equal.
    With ``given_names`` (both sides may be persons), a given name and its diminutive or variant (given_names.py)
    pair up as a possible match: William/Bill, Edward/Edwin.
    Words no heavier than ``stem_max_weight`` (frequent in the list: sector words) left unmatched may
    pair up by a shared stem at STEM_SIM."""
    if need is not None and need <= 0:
        need = None  # nothing to prune: every score reaches it
    qset = set(q_skels)
    lset = set(l_skels)
    if (
        need is not None
        and cache is not None
        and qset.isdisjoint(lset)
        and not cache.any_pair(q_folds, l_folds)
        and not _joinable(q_skels, lset)
        and not _joinable(l_skels, qset)
    ):
        # No shared word, no typo/abbreviation partner, nothing to join: the similarity is 0.  Half of
        # the candidates (retrieved on shared trigrams only) end here.
        return None
    qf, qs, lf, ls = list(q_folds), list(q_skels), list(l_folds), list(l_skels)
    merged = False
    if qset != lset:
        qf, qs, m1 = _merge_joined(qf, qs, ls)
        lf, ls, m2 = _merge_joined(lf, ls, qs)
        merged = m1 or m2
    place_set = _PLACES or _load_places()
    given_set = (_GIVEN or _load_given()) if given_names else _NO_NAMES
    wq = [weight(x) for x in qs]
    wl = [weight(x) for x in ls]
    q_places = _discount_place_suffix(qs, wq, place_set) if qs and qs[-1] in place_set else 0
    l_places = _discount_place_suffix(ls, wl, place_set) if ls and ls[-1] in place_set else 0
    sum_q = sum(wq)
    sum_l = sum(wl)
    total = sum_q + sum_l
    if total <= 0:
        return None if need is not None else NameComparison(0.0, [], qf, lf, merged)
    free_l: dict[str, list[int]] = {}
    for j, x in enumerate(ls):
        free_l.setdefault(x, []).append(j)
    used_q: set[int] = set()
    used_l: set[int] = set()
    matched = 0.0
    pairs: list[tuple[str, str, float]] = []
    for i, x in enumerate(qs):
        slots = free_l.get(x)
        if slots:
            j = slots.pop(0)
            sim = 1.0 if qf[i] == lf[j] else SKELETON_DISCOUNT
            used_q.add(i)
            used_l.add(j)
            matched += sim * (wq[i] + wl[j])
            pairs.append((qf[i], lf[j], sim))
    n_left = min(len(qs) - len(used_q), len(ls) - len(used_l))
    if need is not None:
        # Upper bound: every leftover pairs up at similarity 1 (at most n_left pairs, heaviest first),
        # both order bonuses apply and no substitution penalty is charged.
        bound = matched
        if n_left:
            bound += sum(sorted((w for i, w in enumerate(wq) if i not in used_q), reverse=True)[:n_left])
            bound += sum(sorted((w for j, w in enumerate(wl) if j not in used_l), reverse=True)[:n_left])
        if bound / total + 2 * ORDER_BONUS < need:
            return None
    if n_left:
        cand: list[tuple[float, int, int]] = []
        for i in range(len(qs)):
            if i in used_q:
                continue
            for j in range(len(ls)):
                if j in used_l:
                    continue
                if cache is None:
                    sim = token_similarity(qf[i], qs[i], lf[j], ls[j])
                else:
                    sim = cache.get(qf[i], qs[i], lf[j], ls[j])
                if sim == PREFIX_SIM and weight(qs[i] if len(qf[i]) > len(lf[j]) else ls[j]) > stem_max_weight:
                    # A prefix of a distinctive word is another word ("Ivan"/"Ivanov"), not its abbreviation.
                    continue
                if syllabic and sim < SKELETON_DISCOUNT and both_pinyin(qf[i], lf[j]):
                    # A Chinese name: another syllable is another name (Qingyuan/Pingyuan), never a typo.
                    continue
                if sim < DIMINUTIVE_SIM and qf[i] in given_set and lf[j] in given_set:
                    sim = max(sim, given_name_similarity(qf[i], lf[j]))
                if sim >= MIN_TOKEN_SIM:
                    cand.append((sim, i, j))
        cand.sort(reverse=True)
        for sim, i, j in cand:
            if i in used_q or j in used_l:
                continue
            used_q.add(i)
            used_l.add(j)
            matched += sim * (wq[i] + wl[j])
            pairs.append((qf[i], lf[j], round(sim, 4)))
    if need is not None:
        # Second bound, now that the typo pairs are known: only stem pairs (at STEM_SIM) can still add.
        rest = sum(w for i, w in enumerate(wq) if i not in used_q) + sum(w for j, w in enumerate(wl) if j not in used_l)
        if (matched + (STEM_SIM * rest if stem_max_weight > 0 else 0.0)) / total + 2 * ORDER_BONUS < need:
            return None
    if stem_max_weight > 0 and len(used_q) < len(qs) and len(used_l) < len(ls):
        # Leftover frequent words by their first letters (cheap filter before the stem test).
        heads: dict[str, list[int]] = {}
        for j in range(len(ls)):
            if j not in used_l and wl[j] <= stem_max_weight and len(lf[j]) >= STEM_MIN_PREFIX:
                heads.setdefault(lf[j][:STEM_MIN_PREFIX], []).append(j)
        if heads:
            for i in range(len(qs)):
                js = heads.get(qf[i][:STEM_MIN_PREFIX])
                if not js or i in used_q or wq[i] > stem_max_weight:
                    continue
                for j in js:
                    if j not in used_l and _stem_match(qf[i], lf[j]):
                        used_q.add(i)
                        used_l.add(j)
                        matched += STEM_SIM * (wq[i] + wl[j])
                        pairs.append((qf[i], lf[j], STEM_SIM))
                        break
    left_q = [i for i in range(len(qs) - q_places, len(qs)) if i not in used_q] if q_places else None
    left_l = [j for j in range(len(ls) - l_places, len(ls)) if j not in used_l] if l_places else None
    penalty = 0.0
    if bool(left_q) != bool(left_l):
        # A place closing one name only: the writer's qualifier, or the name of another subsidiary
        # ("Orion Group Kazakhstan" / "Orion Group"); not enough to part them, enough to review it.
        penalty += QUALIFIER_PENALTY
    rest_q = [qf[i] for i in range(len(qf)) if i not in used_q]
    rest_l = [lf[j] for j in range(len(lf)) if j not in used_l]
    if any(f.isdigit() for f in rest_q) and any(f.isdigit() for f in rest_l):
        # Different numbers: "2nd" / "3rd Construction Branch", "Mostostroy-7" / "Mostostroy-9".
        penalty += NUMBER_PENALTY
    if left_q and left_l:
        # Different places on the two sides: they count in full (lowers the score, so the bound holds).
        for i in left_q:
            sum_q += wq[i] * (1 / PLACE_WEIGHT - 1)
            wq[i] /= PLACE_WEIGHT
        for j in left_l:
            sum_l += wl[j] * (1 / PLACE_WEIGHT - 1)
            wl[j] /= PLACE_WEIGHT
        total = sum_q + sum_l
    un_q = sum(w for i, w in enumerate(wq) if i not in used_q)
    un_l = sum(w for j, w in enumerate(wl) if j not in used_l)
    score = matched / total
    if len(pairs) >= 2:
        # Tie-breaker between listed names containing the same words: the one where they appear in the
        # same order, side by side, is the likelier source of a shortened query.
        qpos = {f: i for i, f in enumerate(qf)}
        lpos = {f: j for j, f in enumerate(lf)}
        order = sorted((qpos[p[0]], lpos[p[1]]) for p in pairs if p[0] in qpos and p[1] in lpos)
        lseq = [b for _, b in order]
        if lseq == sorted(lseq):
            score += ORDER_BONUS
            if lseq and lseq[-1] - lseq[0] == len(lseq) - 1:
                score += ORDER_BONUS
    if un_q > 0 and un_l > 0:
        score -= SUBSTITUTION * min(un_q / (sum_q or 1.0), un_l / (sum_l or 1.0))
    score -= penalty
    if need is not None and score < need:
        return None
    return NameComparison(
        max(0.0, min(1.0, score)),
        pairs,
        rest_q,
        rest_l,
        merged,
        score,
    )


def idf(df: int, n: int) -> float:
    """Inverse document frequency with smoothing; unseen tokens get the maximum."""
    return max(0.05, math.log((n + 1.0) / (df + 0.5)))


def legal_adjustment(q: str | None, l_: str | None) -> tuple[float, str]:
    if not q or not l_:
        return 0.0, "missing"
    if coarse(q) == coarse(l_):
        return LEGAL_BONUS, "compatible"
    return -LEGAL_PENALTY, "different"


def country_adjustment(q: str | None, l_: str | None) -> tuple[float, str]:
    if not q or not l_:
        return 0.0, "missing"
    if q == l_:
        return COUNTRY_BONUS, "match"
    return -COUNTRY_PENALTY, "conflict"
