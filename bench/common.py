"""Shared pieces of the benchmark harness: the Result record and a median timer."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

SCALES = ("small", "full")


@dataclass
class Result:
    """One measured operation next to the baseline it is judged against."""

    name: str
    baseline: str
    median_ms: float
    baseline_median_ms: float
    rows: int
    notes: str = ""
    p95_ms: float | None = None  # set by benchmarks that quote tail latency against a target
    baseline_p95_ms: float | None = None

    @property
    def ratio(self) -> float:
        return self.median_ms / self.baseline_median_ms if self.baseline_median_ms else float("inf")

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio}


def median_ms(
    fn: Callable[[], Any],
    *,
    repeat: int = 7,
    warmup: int = 1,
    setup: Callable[[], Any] | None = None,
    teardown: Callable[[], Any] | None = None,
) -> float:
    """Median wall time of ``fn`` in milliseconds over ``repeat`` runs after ``warmup`` runs.

    ``setup`` and ``teardown`` run around every call but outside the timed part.
    """
    times = []
    for i in range(warmup + repeat):
        if setup:
            setup()
        start = time.perf_counter()
        fn()
        elapsed = (time.perf_counter() - start) * 1000
        if teardown:
            teardown()
        if i >= warmup:
            times.append(elapsed)
    return statistics.median(times)


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0–100) of ``values``, nearest-rank (a real observed run)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


def median_and_p95(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Median and p95 (nearest rank) in ms of ``repeat`` runs of ``fn``, after one warm-up run."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), percentile(times, 95)


def pick(scale: str, small: int, full: int) -> int:
    return small if scale == "small" else full
