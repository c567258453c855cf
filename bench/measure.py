"""Timing and memory helpers shared by the benchmark cases."""

from __future__ import annotations

import time
import tracemalloc
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator


@dataclass
class Measured:
    seconds: float
    peak_mib: float


@contextmanager
def measuring() -> Iterator[Measured]:
    """Wall time and peak Python heap (tracemalloc) of the block."""
    result = Measured(0.0, 0.0)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        yield result
    finally:
        result.seconds = time.perf_counter() - start
        result.peak_mib = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()


def best_of(repeats: int, func: Callable[[], object]) -> float:
    """The fastest of ``repeats`` runs: the least disturbed by the rest of the machine."""
    times = []
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)
