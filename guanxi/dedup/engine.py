"""The matching engine: blocking keys and pair scores.

Pure functions over plain values (no database): the scan (``services/scan.py``), the entry-time
check and the FEBRL quality test all go through them. What each entity type compares is declared
on its ``EntityType(duplicates=DuplicateSpec(...))`` (``guanxi.framework.duplicates``).

* **Exact rules** group records by a normalised column (the scan does it in SQL, ``GROUP BY``).
* **Company names** compare by ``normalize.company_compare_key``; records are blocked by the key's
  first two and by its third and fourth characters (a typo spoils one half, rarely both), and
  each block is scored at once with ``rapidfuzz.process.cdist``; a block too large for a square
  matrix (科技 as the third and fourth characters of a hundred thousand names) is cut into
  overlapping windows of its sorted keys (sorted neighbourhood). No scan compares all pairs.
* **People** compare field by field (``PersonMatcher``): the name by characters and by pinyin
  (Jaro-Winkler, the best of both), identifiers exactly (one typo half credit), texts by token
  overlap; the score is the weighted mean over the fields both records have. Blocked by several
  keys (name pinyin prefix, surname, birthday, postcode, identifiers).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler, Levenshtein

from guanxi.dedup.normalize import company_compare_key, person_name_key, pinyin_key

BLOCK_LIMIT = 1000  # records in one block scored as one square matrix
WINDOW = 200  # sorted-neighbourhood window for larger blocks (overlapping by half)
GROUP_LIMIT = 50  # records sharing one exact value paired all-to-all; beyond, each with the first
PERSON_BLOCK_LIMIT = 300  # a person block larger than this says nothing (the same postcode…)


# -- companies ---------------------------------------------------------------------------------


def company_blocks(keys: Mapping[int, str]) -> Iterator[tuple[list[int], Callable[[int], str]]]:
    """Blocks of record ids, each with the sort key of its sorted neighbourhood: keys sharing
    their first two characters (sorted by key), and keys sharing their third and fourth (sorted
    from the third on) — a typo in one half leaves the other. Keys shorter than two characters
    are not blocked: too little to compare."""
    passes: list[tuple[slice, Callable[[int], str]]] = [
        (slice(0, 2), keys.__getitem__),
        (slice(2, 4), lambda pk: keys[pk][2:]),
    ]
    for part, order in passes:
        blocks: dict[str, list[int]] = {}
        for pk, key in keys.items():
            piece = key[part]
            if len(piece) == 2:
                blocks.setdefault(piece, []).append(pk)
        for members in blocks.values():
            if len(members) > 1:
                yield members, order


def _windows(ids: list[int], order: Callable[[int], str]) -> Iterator[list[int]]:
    if len(ids) <= BLOCK_LIMIT:
        yield ids
        return
    ordered = sorted(ids, key=order)
    for start in range(0, len(ordered) - WINDOW // 2, WINDOW // 2):
        yield ordered[start : start + WINDOW]


def similar_company_pairs(keys: Mapping[int, str], threshold: int) -> dict[tuple[int, int], float]:
    """``{(a, b): score}`` (``a < b``, score 0–1) for every pair of records in a common block
    (or window of one) whose keys score at least ``threshold`` (0–100, ``fuzz.ratio``)."""
    found: dict[tuple[int, int], float] = {}
    for block, order in company_blocks(keys):
        for window in _windows(block, order):
            texts = [keys[pk] for pk in window]
            matrix = process.cdist(
                texts, texts, scorer=fuzz.ratio, score_cutoff=threshold, dtype=np.uint8, workers=-1
            )
            rows, cols = np.nonzero(np.triu(matrix, k=1))
            for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
                a, b = window[i], window[j]
                pair = (a, b) if a < b else (b, a)
                found[pair] = max(found.get(pair, 0.0), float(matrix[i, j]) / 100)
    return found


def company_similarity(a: str, b: str) -> float:
    """Two company names' similarity (0–1) as the scan scores it."""
    ka, kb = company_compare_key(a), company_compare_key(b)
    if not ka or not kb:
        return 0.0
    return fuzz.ratio(ka, kb) / 100


# -- exact groups ------------------------------------------------------------------------------


def group_pairs(ids: Sequence[int]) -> Iterator[tuple[int, int]]:
    """The pairs one exact group proposes: all of them for a small group; a large one (a shared
    switchboard number) pairs each record with the first only, so it cannot flood the queue."""
    ordered = sorted(set(ids))
    if len(ordered) <= GROUP_LIMIT:
        yield from itertools.combinations(ordered, 2)
    else:
        first = ordered[0]
        for other in ordered[1:]:
            yield first, other


# -- people ------------------------------------------------------------------------------------


def person_similarity(a: str, b: str) -> float:
    """Two person names' similarity (0–1): Jaro-Winkler over the characters and over the pinyin,
    the better of the two (张伟 / 張偉 / Zhang Wei / 张玮 typed by pinyin all score 1)."""
    ka, kb = person_name_key(a), person_name_key(b)
    if not ka or not kb:
        return 0.0
    chars = JaroWinkler.similarity(ka, kb)
    if chars == 1.0:
        return 1.0
    return max(chars, JaroWinkler.similarity(pinyin_key(a), pinyin_key(b)))


def field_similarity(kind: str, a: Any, b: Any) -> float | None:
    """One field's agreement (0–1), or None when either side is empty (not evidence either way)."""
    if a in (None, "") or b in (None, ""):
        return None
    if kind == "person":
        return person_similarity(str(a), str(b))
    if kind == "exact":
        sa, sb = str(a).strip().lower(), str(b).strip().lower()
        if sa == sb:
            return 1.0
        return 0.5 if Levenshtein.distance(sa, sb) <= 1 else 0.0
    if kind == "text":
        return fuzz.token_set_ratio(str(a).lower(), str(b).lower()) / 100
    raise ValueError(f"unknown comparison {kind!r}")


@dataclass
class PersonMatcher:
    """Scores pairs of person records field by field; see the module docstring.

    ``fields``: ``(name, comparison, weight)``; ``blocking``: functions of a record giving its
    blocking keys; ``min_fields``: how many fields both records must have for a score (a bare name
    matches every namesake); ``threshold``: the score (0–1) from which a pair is a duplicate.
    """

    fields: Sequence[tuple[str, str, float]]
    blocking: Sequence[Callable[[Mapping[str, Any]], str]] = ()
    threshold: float = 0.5
    min_fields: int = 2
    block_limit: int = PERSON_BLOCK_LIMIT

    def score(self, a: Mapping[str, Any], b: Mapping[str, Any]) -> tuple[float, dict[str, float]]:
        """(weighted mean agreement, per-field agreement) over the fields both records have."""
        num = den = 0.0
        parts: dict[str, float] = {}
        for name, kind, weight in self.fields:
            similarity = field_similarity(kind, a.get(name), b.get(name))
            if similarity is None:
                continue
            parts[name] = similarity
            num += weight * similarity
            den += weight
        if len(parts) < self.min_fields or not den:
            return 0.0, parts
        return num / den, parts

    def candidate_pairs(self, records: Mapping[Any, Mapping[str, Any]]) -> set[tuple[Any, Any]]:
        """Pairs sharing at least one blocking key (blocks larger than ``block_limit`` skipped)."""
        blocks: dict[tuple[int, str], list[Any]] = {}
        for pk, record in records.items():
            for index, key_of in enumerate(self.blocking):
                key = key_of(record)
                if key:
                    blocks.setdefault((index, key), []).append(pk)
        pairs: set[tuple[Any, Any]] = set()
        for members in blocks.values():
            if 1 < len(members) <= self.block_limit:
                pairs.update(itertools.combinations(sorted(members), 2))
        return pairs

    def matches(
        self, records: Mapping[Any, Mapping[str, Any]], pairs: Iterable[tuple[Any, Any]] | None = None
    ) -> dict[tuple[Any, Any], tuple[float, dict[str, float]]]:
        """``{pair: (score, parts)}`` for the blocked pairs scoring at least ``threshold``."""
        out = {}
        for a, b in self.candidate_pairs(records) if pairs is None else pairs:
            score, parts = self.score(records[a], records[b])
            if score >= self.threshold:
                out[(a, b)] = (score, parts)
        return out


def name_pinyin_block(name_field: str, size: int = 3) -> Callable[[Mapping[str, Any]], str]:
    """A blocking key: the first ``size`` letters of the name's pinyin."""

    def key(record: Mapping[str, Any]) -> str:
        return pinyin_key(str(record.get(name_field) or ""))[:size]

    return key


def value_block(name: str, size: int | None = None) -> Callable[[Mapping[str, Any]], str]:
    """A blocking key: a field's value (its first ``size`` characters)."""

    def key(record: Mapping[str, Any]) -> str:
        value = str(record.get(name) or "").strip().lower()
        return value[:size] if size else value

    return key
