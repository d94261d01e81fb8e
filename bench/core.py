"""Timing helpers and the result row every benchmark returns."""

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field


@dataclass
class Result:
    name: str
    volume: str
    samples: int
    median_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    rps: float | None = None
    reference: str = ""
    reference_ms: float | None = None
    goal: str = ""
    met: bool | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.reference_ms and self.median_ms is not None:
            return self.median_ms / self.reference_ms
        return None

    def as_dict(self) -> dict:
        data = asdict(self)
        data["ratio"] = self.ratio
        return data


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (values in any order)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, int(round(share * len(ordered) + 0.5)) - 1))
    return ordered[rank]


def timed(function: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    value = function()
    return (time.perf_counter() - start) * 1000, value


def measure(
    function: Callable[[int], object], *, runs: int, warmup: int = 2, max_seconds: float = 20
) -> tuple[list[float], list[object]]:
    """Call `function(i)` `runs` times (after `warmup` calls), bounded by `max_seconds`;
    returns the durations in milliseconds and the values returned."""
    for i in range(warmup):
        function(i)
    durations, values = [], []
    deadline = time.monotonic() + max_seconds
    for i in range(runs):
        ms, value = timed(lambda i=i: function(i))
        durations.append(ms)
        values.append(value)
        if time.monotonic() > deadline:
            break
    return durations, values


def summarise(name: str, volume: str, durations: list[float], **kwargs: object) -> Result:
    return Result(
        name=name,
        volume=volume,
        samples=len(durations),
        median_ms=statistics.median(durations) if durations else None,
        p95_ms=percentile(durations, 0.95) if durations else None,
        p99_ms=percentile(durations, 0.99) if durations else None,
        **kwargs,
    )
