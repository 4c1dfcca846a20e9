"""In-memory match index: inverted postings for candidate retrieval, then full scoring of candidates.

Retrieval never scans the list.  Keys per listed name:

* ``t`` + token skeleton (exact word, any transliteration convention),
* ``g`` + padded character trigrams of each skeleton token (typos, joined/split words),
* identifiers by (family, normalised value) in a separate map.

Postings are ``array('I')`` of internal ids (4 bytes each) - at a million entries
that is what keeps memory in budget.  Removal is a tombstone (the id's key
becomes ``None``) plus a document-frequency decrement; postings are compacted
when tombstones exceed half the live records.
"""

from __future__ import annotations

import marshal
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping

from debarlist_match.identifiers import GLOBAL_SCHEMES, identifier_key
from debarlist_match.normalise import PreparedName, prepare_names
from debarlist_match.packed import PackedRows, Postings
from debarlist_match.scoring import (
    GENERIC_WEIGHT,
    ID_CONFLICT_PENALTY,
    ID_MATCH_FLOOR,
    KIND_PENALTY,
    SKELETON_DISCOUNT,
    NameComparison,
    SimCache,
    compare_names,
    country_adjustment,
    generic_skeletons,
    idf,
    legal_adjustment,
    load_tables,
)
from debarlist_match.types import Identifier, ListedRecord, Match, Query
from debarlist_match.version import ALGORITHM, DEFAULT_THRESHOLD

IdKey = tuple[str, str, str | None]

MAX_CANDIDATES = 40  # fully scored per query
PRUNE_MARGIN = 0.02
MIN_POSTING_CAP = 1000  # postings longer than max(this, N / 100) are too common to retrieve on
SYLLABIC_COUNTRIES = frozenset({"CN", "TW", "HK", "MO", "SG"})
STEM_MIN_DF = 3  # words in at least max(this, N / 1000) names are frequent enough for stem matching


def _trigrams(skel: str) -> list[str]:
    if len(skel) < 3:
        return []
    padded = f"^{skel}$"
    return [padded[i : i + 3] for i in range(len(padded) - 2)]


def decode_names(raw: memoryview) -> tuple[PreparedName, ...]:
    return tuple(PreparedName(*fields) for fields in marshal.loads(raw))


def encode_names(names: tuple[PreparedName, ...]) -> bytes:
    # marshal: C code for exactly these types (str, tuples, bool, None), a few microseconds a record.
    return marshal.dumps(tuple((n.original, n.folds, n.skels, n.legal, n.legal_text, n.folded, n.compound_of,
                                n.han, n.reading) for n in names))


def decode_idents(raw: memoryview) -> tuple[IdKey, ...]:
    if not raw:
        return ()
    idents: tuple[IdKey, ...] = marshal.loads(raw)
    return idents


def encode_idents(idents: tuple[IdKey, ...]) -> bytes:
    return marshal.dumps(idents) if idents else b""  # most records have none: nothing to decode


def _id_posting_key(family: str, value: str) -> str:
    return f"{family}\x00{value}"  # one string, not a tuple: a snapshot loads a million of them


def _name_keys(names: Iterable[PreparedName]) -> tuple[set[str], set[str]]:
    tokens: set[str] = set()
    grams: set[str] = set()
    for n in names:
        for s in n.skels:
            tokens.add("t" + s)
            grams.update("g" + g for g in _trigrams(s))
        # Joined form of adjacent tokens, so "Sibir Stroy" retrieves "Sibirstroy" by exact key too.
        for a, b in zip(n.skels, n.skels[1:], strict=False):
            tokens.add("t" + a + b)
    return tokens, grams


class _Weights(dict[str, float]):
    """Per-query IDF memo; a dict subclass so the hit path is a C-level lookup."""

    def __init__(self, df: Mapping[str, int], n_live: int) -> None:
        super().__init__()
        self._df = df
        self._n = n_live
        self._generic = generic_skeletons()

    def __missing__(self, skel: str) -> float:
        w = idf(self._df.get(skel, 0), self._n)
        if skel in self._generic:
            w *= GENERIC_WEIGHT  # organisational words ("Group", "International"): see scoring.GENERIC_WORDS
        self[skel] = w
        return w


class MatchIndex:
    """Thread-safe (one RLock) index of listed records."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._by_key: dict[str, int] = {}
        self._keys: list[str | None] = []
        self._kinds: list[str] = []
        self._countries: list[str | None] = []
        # Decoded when read (packed.py): a snapshot brings these back as buffers, not objects.
        self._names: PackedRows[tuple[PreparedName, ...]] = PackedRows(decode_names)
        self._idents: PackedRows[tuple[IdKey, ...]] = PackedRows(decode_idents)
        self._partition_of: list[str | None] = []
        # Postings per partition (None: the shared list); word frequencies of the shared list only.
        self._postings: dict[str | None, Postings[str]] = {}
        self._id_postings: dict[str | None, Postings[str]] = {}
        self._df: dict[str, int] = {}
        self._shared = 0
        self._dead = 0

    # ------------------------------------------------------------------ mutation
    def add(self, record: ListedRecord) -> None:
        country = record.country.upper() if record.country else None
        names = tuple(prepare_names((record.name, *record.aliases), country))
        idents = tuple(k for k in (identifier_key(i) for i in record.identifiers) if k is not None)
        with self._lock:
            self._remove_locked(record.key)
            rid = len(self._keys)
            self._keys.append(record.key)
            self._kinds.append(record.kind)
            self._countries.append(country)
            self._names.append(names)
            self._idents.append(idents)
            self._partition_of.append(record.partition)
            self._by_key[record.key] = rid
            self._index_locked(rid, names, idents, record.partition)

    def _index_locked(
        self, rid: int, names: tuple[PreparedName, ...], idents: tuple[IdKey, ...], partition: str | None
    ) -> None:
        tokens, grams = _name_keys(names)
        postings = self._postings.get(partition)
        if postings is None:
            postings = self._postings[partition] = Postings()
        for k in tokens | grams:
            postings.add(k, rid)
        if partition is None:
            df = self._df
            for s in {s for n in names for s in n.skels}:
                df[s] = df.get(s, 0) + 1
            self._shared += 1
        id_postings = self._id_postings.get(partition)
        if id_postings is None:
            id_postings = self._id_postings[partition] = Postings()
        for fam, val, _ in idents:
            id_postings.add(_id_posting_key(fam, val), rid)

    def remove(self, key: str) -> None:
        with self._lock:
            self._remove_locked(key)
            if self._dead > 1000 and self._dead > len(self._by_key) // 2:
                self._compact_locked()

    def _remove_locked(self, key: str) -> None:
        rid = self._by_key.pop(key, None)
        if rid is None:
            return
        partition = self._partition_of[rid]
        if partition is None:
            for s in {s for n in self._names[rid] for s in n.skels}:
                c = self._df.get(s, 0) - 1
                if c > 0:
                    self._df[s] = c
                else:
                    self._df.pop(s, None)
            self._shared -= 1
        id_postings = self._id_postings.get(partition)
        if id_postings is not None:
            for fam, val, _ in self._idents[rid]:
                id_postings.discard(_id_posting_key(fam, val), rid)
        self._keys[rid] = None
        self._names[rid] = ()
        self._idents[rid] = ()
        self._dead += 1

    def _compact_locked(self) -> None:
        """Drop tombstones by renumbering live records and rebuilding postings."""
        live = [rid for rid, k in enumerate(self._keys) if k is not None]
        keys = [self._keys[r] for r in live]
        kinds = [self._kinds[r] for r in live]
        countries = [self._countries[r] for r in live]
        names = [self._names[r] for r in live]
        idents = [self._idents[r] for r in live]
        partitions = [self._partition_of[r] for r in live]
        self._keys, self._kinds, self._countries, self._partition_of = keys, kinds, countries, partitions
        self._names, self._idents = PackedRows(decode_names), PackedRows(decode_idents)
        for rid in range(len(keys)):
            self._names.append(names[rid])
            self._idents.append(idents[rid])
        self._by_key = {k: i for i, k in enumerate(keys) if k is not None}
        self._postings = {}
        self._id_postings = {}
        self._df = {}
        self._shared = 0
        self._dead = 0
        for rid in range(len(keys)):
            self._index_locked(rid, names[rid], idents[rid], partitions[rid])

    def __len__(self) -> int:
        return len(self._by_key)

    def words_of(self, key: str) -> set[str]:
        """The word keys a record counts with in the word frequencies (its names' skeletons)."""
        rid = self._by_key.get(key)
        return set() if rid is None else {s for n in self._names[rid] for s in n.skels}

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    # ------------------------------------------------------------------ search
    def search(
        self,
        query: Query,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        limit: int = 5,
        accept: Callable[[str], bool] | None = None,
        partitions: Iterable[str | None] = (None,),
        frequencies: tuple[Mapping[str, int], int] | None = None,
    ) -> list[Match]:
        """The best records for ``query`` at or above ``threshold``, best first.

        ``accept`` says which records may be shown; only those compete for the shortlist.
        ``partitions`` lists the partitions searched (``None``: the shared list).
        ``frequencies`` replaces the shared list's word frequencies and population (a view of the
        list at another point in time weighs words as they were weighed then).
        """
        qcountry = query.country.upper() if query.country else None
        # The Latin readings of a country's names are the listed side's (index.add): a query in either
        # convention meets one of them, and a second reading per query name would double the comparisons.
        qnames = [n for n in prepare_names((query.name, *query.aliases)) if n.skels]
        qids = [k for k in (identifier_key(i) for i in query.identifiers) if k is not None]
        with self._lock:
            if not self._by_key:
                return []
            df, n_live = frequencies if frequencies is not None else (self._df, self._shared)
            n_live = max(n_live, 1)
            # Only records the caller may be shown compete for the shortlist: a cut taken before
            # ``accept`` would let any number of hidden or inactive look-alikes push a visible entry out.
            cands = self._candidates(qnames, qids, n_live, accept, tuple(dict.fromkeys(partitions)))
            weight = _Weights(df, n_live).__getitem__
            # Inflected endings are matched only for frequent (sector) words; surnames ending differently
            # (Petrovich/Petrovsky) are different people.
            stem_max = idf(max(STEM_MIN_DF, n_live // 1000), n_live)

            sim_cache = SimCache()
            # Each candidate's names decoded once (a snapshot's are decoded on every read).
            listed = {rid: self._names[rid] for rid in cands}
            sim_cache.prime(
                ((f, sk) for qn in qnames for f, sk in zip(qn.folds, qn.skels, strict=True)),
                ((f, sk) for lns in listed.values() for ln in lns for f, sk in zip(ln.folds, ln.skels, strict=True)),
            )
            scored: list[tuple[float, float, int, dict[str, object]]] = []
            for rid in cands:
                key = self._keys[rid]
                if key is None:
                    continue
                total, parts = self._score_locked(
                    rid, listed[rid], query, qnames, qids, qcountry, weight, sim_cache, threshold, stem_max
                )
                if total >= threshold:
                    raw = parts.pop("_raw")
                    scored.append((total, raw if isinstance(raw, float) else total, rid, parts))
            # Scores clip at 1: the unclipped sum orders the clipped ones (the exact twin before the same name
            # with a place added).
            scored.sort(key=lambda t: (-t[0], -t[1], t[2]))
            out: list[Match] = []
            # Candidates were admitted by ``accept`` already (``_candidates``): no second verdict here.
            for total, _, rid, parts in scored:
                key = self._keys[rid]
                assert key is not None
                parts["algorithm"] = ALGORITHM
                out.append(
                    Match(
                        key=key,
                        score=round(total, 4),
                        query_name=str(parts.pop("_query_name")),
                        matched_name=str(parts.pop("_matched_name")),
                        explanation=parts,
                        band=str(parts["band"]),
                    )
                )
                if len(out) >= limit:
                    break
            return out

    def _candidates(
        self,
        qnames: list[PreparedName],
        qids: list[IdKey],
        n_live: int,
        accept: Callable[[str], bool] | None,
        partitions: tuple[str | None, ...],
    ) -> list[int]:
        keys = self._keys
        if accept is None:
            def admitted(rid: int) -> bool:
                return keys[rid] is not None
        else:
            verdicts: dict[int, bool] = {}

            def admitted(rid: int) -> bool:
                verdict = verdicts.get(rid)
                if verdict is None:
                    key = keys[rid]
                    verdict = verdicts[rid] = key is not None and accept(key)
                return verdict

        found: dict[int, None] = {}
        for partition in partitions:
            id_postings = self._id_postings.get(partition)
            if id_postings is None:
                continue
            for fam, val, _ in qids:
                for rid in id_postings.get(_id_posting_key(fam, val)) or ():
                    if admitted(rid):
                        found[rid] = None
        # Each query name (the name and every alias) retrieves its own candidates: pooled together, the
        # keys of a long alias ("NJS Consultants") outvote the few keys of a short name ("NJS") and push
        # its exact twin out of the shortlist.
        for partition in partitions:
            postings = self._postings.get(partition)
            if postings is None:
                continue
            for qn in qnames:
                for rid in self._name_candidates(qn, postings, n_live, admitted):
                    found[rid] = None
        return list(found)

    @staticmethod
    def _name_candidates(
        qname: PreparedName, postings: Postings[str], n_live: int, admitted: Callable[[int], bool]
    ) -> list[int]:
        tokens, grams = _name_keys((qname,))
        cap = max(MIN_POSTING_CAP, n_live // 100)
        lists = sorted(
            ((k, p) for k in tokens | grams if (p := postings.get(k)) is not None),
            key=lambda kp: len(kp[1]),
        )
        counts: Counter[int] = Counter()
        for used, (k, p) in enumerate(lists):
            # Rare keys say most; very common keys (a generic word, a frequent trigram) only add noise and
            # time.  The two rarest keys are always used so an all-generic name still finds its exact twin.
            if len(p) > cap and used >= 2:
                break
            counts.update(p)
            if k[0] == "t":
                counts.update(p)  # a whole-word hit counts double
        # The best MAX_CANDIDATES admitted records, in count order. Most of the time the top
        # MAX_CANDIDATES are admitted; only when records the caller may not see crowd the top is the
        # window widened, so the common case stays a partial selection, not a sort of every count.
        window = MAX_CANDIDATES
        while True:
            top = counts.most_common(window)
            shortlist = [rid for rid, _ in top if admitted(rid)][:MAX_CANDIDATES]
            if len(shortlist) >= MAX_CANDIDATES or len(top) < window:
                return shortlist
            window *= 4

    def _score_locked(
        self,
        rid: int,
        lnames: tuple[PreparedName, ...],
        query: Query,
        qnames: list[PreparedName],
        qids: list[IdKey],
        qcountry: str | None,
        weight: Callable[[str], float],
        sim_cache: SimCache,
        threshold: float = 0.0,
        stem_max: float = 0.0,
    ) -> tuple[float, dict[str, object]]:
        # The evidence outside the name is cheap and known first: it tells how high the name similarity
        # must be for this candidate to reach the threshold, so hopeless names are cut short.
        lcountry = self._countries[rid]
        c_adj, c_res = country_adjustment(qcountry, lcountry)
        k_adj = 0.0
        lkind = self._kinds[rid]
        if query.kind and lkind and query.kind != lkind:
            k_adj = -KIND_PENALTY
        id_info, strong, conflict = self._compare_ids(qids, self._idents[rid], qcountry, lcountry)
        i_adj = -ID_CONFLICT_PENALTY if conflict and not strong else 0.0
        # PRUNE_MARGIN keeps the choice between a pruned and a kept alias of the same record unchanged.
        base_need = None if strong else threshold - c_adj - k_adj - i_adj - PRUNE_MARGIN
        # Chinese names in pinyin are compared syllable by syllable (pinyin.py): a firm of a Chinese-speaking
        # country, or one of no stated country that the list also names in Han script.
        syllabic = lcountry in SYLLABIC_COUNTRIES or qcountry in SYLLABIC_COUNTRIES
        if not syllabic and lcountry is None:
            syllabic = any(n.han for n in lnames)
        # Given-name variants (William/Bill) only where a person may be compared: a listed person or a query
        # for one, or two names without a legal form (the published lists mark few persons as such).
        persons = "person" in (lkind, query.kind)
        best: tuple[float, PreparedName, PreparedName, NameComparison] | None = None
        best_key = -1.0
        pruned = False
        for qn in qnames:
            for ln in lnames:
                l_pair = legal_adjustment(qn.legal, ln.legal)[0]
                need = None if base_need is None else base_need - l_pair
                if best is not None:
                    # Only a name that can beat the best one so far is worth aligning: its selection key
                    # (below) must exceed best_key, and the exact-pair tie-break adds at most 0.001 a token.
                    beat = best_key - l_pair - 0.001 * min(len(qn.folds), len(ln.folds))
                    need = beat if need is None else max(need, beat)
                cmp = compare_names(
                    qn.folds,
                    qn.skels,
                    ln.folds,
                    ln.skels,
                    weight,
                    sim_cache,
                    need,
                    stem_max,
                    syllabic,
                    persons or (qn.legal is None and ln.legal is None),
                )
                if cmp is None:
                    pruned = True
                    continue
                # Legal form, then exact spelling, break ties between the native and the romanised alias.
                exact = sum(1 for p in cmp.pairs if p[2] == 1.0)
                sel = cmp.score + l_pair + 0.001 * exact
                if sel > best_key:
                    best, best_key = (cmp.score, qn, ln, cmp), sel
        if best is None and pruned:
            return -1.0, {}  # every name was proven to stay below the threshold
        name_sim = best[0] if best else 0.0
        l_adj, l_res = legal_adjustment(best[1].legal, best[2].legal) if best else (0.0, "missing")
        raw = (best[3].raw if best else 0.0) + c_adj + l_adj + k_adj + i_adj
        total = max(0.0, min(1.0, name_sim + c_adj + l_adj + k_adj + i_adj))
        formula = "clip(name + country + legal_form + kind + identifier_conflict, 0, 1)"
        if strong:
            floor = ID_MATCH_FLOOR + (1.0 - ID_MATCH_FLOOR) * name_sim
            if floor > total:
                total = floor
                formula = f"identifier match: {ID_MATCH_FLOOR} + {1 - ID_MATCH_FLOOR:.2f} * name"
        if total < threshold:
            return total, {}  # explanations are only built for hits
        parts: dict[str, object] = {
            "band": band(total, strong, best[3] if best else None),
            "name": {
                "similarity": round(name_sim, 4),
                "method": "idf-weighted token alignment over transliterated and skeleton forms",
                "query_tokens": list(best[1].folds) if best else [],
                "listed_tokens": list(best[2].folds) if best else [],
                "aligned": [list(p) for p in best[3].pairs] if best else [],
                "unmatched_query": best[3].unmatched_query if best else [],
                "unmatched_listed": best[3].unmatched_listed if best else [],
                "joined_or_split": best[3].merged if best else False,
                # Obfuscations undone in the query name before it was compared (obfuscation.py kinds).
                "folded": list(best[1].folded) if best else [],
                # The compound strings ("X (formerly Y)") the compared names are parts of (compound.py).
                "query_compound_of": (best[1].compound_of or None) if best else None,
                "listed_compound_of": (best[2].compound_of or None) if best else None,
                # The second romanisation a compared name was read in (readings.py), None when as written.
                "query_reading": (best[1].reading or None) if best else None,
                "listed_reading": (best[2].reading or None) if best else None,
            },
            "identifier": id_info,
            "country": {"query": qcountry, "listed": lcountry, "result": c_res, "adjustment": c_adj},
            "legal_form": {
                "query": best[1].legal_text or None if best else None,
                "query_class": best[1].legal if best else None,
                "listed": best[2].legal_text or None if best else None,
                "listed_class": best[2].legal if best else None,
                "result": l_res,
                "adjustment": l_adj,
            },
            "kind": {"query": query.kind, "listed": lkind, "adjustment": k_adj},
            "formula": formula,
            "_query_name": best[1].original if best else "",
            "_matched_name": best[2].original if best else "",
            "_raw": raw,
        }
        if strong and not best:
            parts["_matched_name"] = lnames[0].original if lnames else ""
        return total, parts

    @staticmethod
    def _compare_ids(
        qids: list[IdKey], lids: tuple[IdKey, ...], qcountry: str | None, lcountry: str | None
    ) -> tuple[dict[str, object] | None, bool, bool]:
        if not qids or not lids:
            return None, False, False
        conflict: dict[str, object] | None = None
        for qf, qv, qc in qids:
            for lf, lv, lc in lids:
                if qf != lf:
                    continue
                if qv == lv:
                    if qf in GLOBAL_SCHEMES:
                        return (
                            {"scheme": qf, "value": qv, "result": "match", "strength": "strong"},
                            True,
                            False,
                        )
                    # National numbers are only unique within a country.
                    qcc = qc or qcountry
                    lcc = lc or lcountry
                    if qcc and lcc and qcc != lcc:
                        continue
                    return (
                        {"scheme": qf, "value": qv, "country": lcc, "result": "match", "strength": "strong"},
                        True,
                        False,
                    )
                if conflict is None and (qf in GLOBAL_SCHEMES or (qc or qcountry) == (lc or lcountry)):
                    conflict = {"scheme": qf, "query_value": qv, "listed_value": lv, "result": "conflict"}
        return conflict, False, conflict is not None


STRONG_SCORE = 0.9


def band(score: float, strong_id: bool, cmp: NameComparison | None) -> str:
    """What a screener does with a hit, first: ``strong`` (review first: the identifier matches, or the
    score is at least STRONG_SCORE with every aligned word the same word, spelled or transliterated
    otherwise), ``possible`` (at or above the threshold, or a strong score that rests on a typo, an
    initial, an abbreviation or an inflected word: "Nilsen" for "Nielsen"), ``weak`` (below the default
    threshold, shown only when the caller lowers it).  bench/calibration.py measures the precision of each."""
    if strong_id:
        return "strong"
    if score >= STRONG_SCORE and cmp is not None and all(p[2] >= SKELETON_DISCOUNT for p in cmp.pairs):
        return "strong"
    return "possible" if score >= DEFAULT_THRESHOLD else "weak"


def build_index(records: Iterable[ListedRecord]) -> MatchIndex:
    idx = MatchIndex()
    for r in records:
        idx.add(r)
    return idx


__all__ = ["Identifier", "ListedRecord", "Match", "MatchIndex", "Query", "build_index"]


# One name of each kind the engine reads differently (scripts, readings, numbers, compounds, persons).
_WARM_UP_QUERIES = (
    Query(name="Almaty Stroy Group International LLP (formerly Alatau Trans) 1st Branch", country="KZ"),
    Query(name="ТОО «Алатау Строй» филиал №2", country="KZ"),
    Query(name="«Վանաձոր Շին» ՍՊԸ", country="AM"),
    Query(name="ХХК «Мөнх Үйлчилгээ»", country="MN"),
    Query(name="Məmmədov Ticarət MMC", country="AZ"),
    Query(name="შპს ალაზანი", country="GE"),
    Query(name="Ε.Π.Ε. Αθηνά", country="GR"),
    Query(name="中国葛洲坝集团有限公司", country="CN"),
    Query(name="Mr. William J. Smith", kind="person"),
    Query(name="Ｋｉｒ\u200bmizi ᴛᴇᴘᴇ D0rserv1s", country="TR"),
)


def warm_up(index: MatchIndex) -> None:
    """Load every table the engine builds on first use (place words, given names, legal forms, ICU
    transforms, pinyin) by screening one name of each kind.  A server that forks workers calls it
    before the fork, so the tables are built once and shared instead of once per worker."""
    load_tables()
    for query in _WARM_UP_QUERIES:
        # Once as a listed name (with its country: the Latin readings of index.add), once as a query.
        prepare_names((query.name,), query.country)
        index.search(query, threshold=0.0, limit=1)
