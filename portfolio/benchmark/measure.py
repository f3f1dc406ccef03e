"""Timing and query counting for the benchmark: single samples, interleaved pairs, medians."""

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection


@dataclass(frozen=True)
class Samples:
    """Durations in seconds of repeated runs of one operation."""

    seconds: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def low(self) -> float:
        return min(self.seconds)

    @property
    def high(self) -> float:
        return max(self.seconds)

    def __len__(self) -> int:
        return len(self.seconds)


@dataclass(frozen=True)
class PairedSamples:
    """Interleaved runs of two operations; the ratio of each pair is `second / first`."""

    first: Samples
    second: Samples

    @property
    def ratios(self) -> tuple[float, ...]:
        return tuple(b / a for a, b in zip(self.first.seconds, self.second.seconds, strict=True))

    @property
    def median_ratio(self) -> float:
        return statistics.median(self.ratios)

    def __len__(self) -> int:
        return len(self.first)


def time_once(operation: Callable[[], object]) -> float:
    """Run `operation` once and return its wall-clock duration in seconds.

    A garbage collection runs first, outside the measured time, so that one
    sample does not pay for the garbage of the one before.
    """
    gc.collect()
    start = time.perf_counter()
    operation()
    return time.perf_counter() - start


def time_in_turn(operation: Callable[[], object], runs: int) -> Samples:
    """Run `operation` `runs` times in a row and return each run's wall-clock duration in seconds.

    One garbage collection runs before the first run only, so the runs pay for
    the collections that come due during them, as requests served one after
    another by a server do. A collection before every run, as in `time_once`,
    also leaves the processor's caches cold, which a server's next request does
    not meet.
    """
    gc.collect()
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        operation()
        seconds.append(time.perf_counter() - start)
    return Samples(tuple(seconds))


def time_repeated(operation: Callable[[], object], runs: int, warmup: int = 1) -> Samples:
    for _ in range(warmup):
        operation()
    return Samples(tuple(time_once(operation) for _ in range(runs)))


def time_pairs(first: Callable[[], object], second: Callable[[], object], pairs: int,
               warmup: int = 1) -> PairedSamples:
    """Time `first` and `second` in `pairs` interleaved pairs after `warmup` runs of each.

    The order inside a pair alternates, so that a slow drift of the machine
    (another process, a cache warming up) weighs on both operations alike.
    """
    for _ in range(warmup):
        first()
        second()
    first_seconds, second_seconds = [], []
    for index in range(pairs):
        if index % 2 == 0:
            first_seconds.append(time_once(first))
            second_seconds.append(time_once(second))
        else:
            second_seconds.append(time_once(second))
            first_seconds.append(time_once(first))
    return PairedSamples(Samples(tuple(first_seconds)), Samples(tuple(second_seconds)))


def count_queries(operation: Callable[[], object]) -> int:
    """Run `operation` once and return the number of SQL statements it sent.

    CaptureQueriesContext would serve for a few queries, but it reads the
    connection's query log, which keeps only the last 9,000 entries
    (`BaseDatabaseWrapper.queries_limit` in Django 5.2), and the naive loop
    sends more than that at 10,000 services. An execute wrapper counts without
    a limit and without keeping the SQL.
    """
    count = 0

    def counting(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counting):
        operation()
    return count
