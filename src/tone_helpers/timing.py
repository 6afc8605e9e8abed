"""Latency, measured so that two models can be compared fairly.

Every candidate runs in the same process on the same input, interleaved (one call of each per
round, in rotating order), after warm-up calls, and we keep every round's time. Model time is
measured on ready-made features; feature extraction is timed separately.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from tone_helpers.audio import TARGET_RATE

# A timing whose interquartile range is wider than this share of its median is flagged as noisy: the
# machine was busy, and a ratio built on it means little. `tone-series --inplace` refuses to store one.
NOISY_SPREAD = 0.5
NOISY_MARK = "⚠ noisy"


@dataclass
class Timing:
    """Seconds per call over the measured rounds (warm-up excluded)."""

    name: str
    batch_size: int
    seconds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def spread(self) -> tuple[float, float]:
        """Interquartile range: the middle half of the rounds."""
        q1, _, q3 = statistics.quantiles(self.seconds, n=4) if len(self.seconds) > 1 else [self.median] * 3
        return q1, q3

    @property
    def ms_per_clip(self) -> float:
        return 1e3 * self.median / self.batch_size

    @property
    def noisy(self) -> bool:
        q1, q3 = self.spread
        return q3 - q1 > NOISY_SPREAD * self.median

    @property
    def flag(self) -> str:
        """`` ⚠ noisy`` after a timing whose spread is too wide to trust, else nothing."""
        return f" {NOISY_MARK}" if self.noisy else ""

    def __str__(self) -> str:
        q1, q3 = self.spread
        return (
            f"{self.name}: median {fmt_time(self.median)} per batch of {self.batch_size} "
            f"(IQR {fmt_time(q1)}–{fmt_time(q3)}, {len(self.seconds)} rounds){self.flag}"
        )


def fmt_time(seconds: float) -> str:
    """Times always print as ``<number> ms`` or ``<number> s`` (the nbval sanitizer relies on it)."""
    return f"{seconds * 1e3:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


def speed_verdict(a: Timing, b: Timing) -> str:
    """How ``a`` compares with ``b``, as far as the rounds support it: "faster than" or "slower than" only where the
    middle halves of their rounds (interquartile ranges) do not overlap, else "not measurably faster or slower than".

    Taught in: 05 · Evaluate accuracy and latency, § Latency, measured properly.
    """
    (a1, a3), (b1, b3) = a.spread, b.spread
    if a3 < b1:
        return "faster than"
    if a1 > b3:
        return "slower than"
    return "not measurably faster or slower than"


def fastest(timings: dict[str, Timing]) -> str:
    """The name with the lowest median, and those it cannot be told from (their interquartile ranges overlap).

    Taught in: 05 · Evaluate accuracy and latency, § Latency, measured properly.
    """
    best = min(timings, key=lambda name: timings[name].median)
    tied = [n for n in timings if n != best and speed_verdict(timings[best], timings[n]) != "faster than"]
    return best + (f" (tied with {', '.join(tied)}: the middle halves of their rounds overlap)" if tied else "")


def ratio_span(num: Timing, den: Timing) -> tuple[float, float]:
    """``num / den`` at the ends of the two interquartile ranges: the span a ratio of medians can be trusted to."""
    (n1, n3), (d1, d3) = num.spread, den.spread
    return n1 / d3, n3 / d1


def fmt_median(timing: Timing) -> str:
    """A timing's median as a table cell, flagged when its spread is too wide to trust."""
    return fmt_time(timing.median) + timing.flag


def interleaved(
    calls: dict[str, Callable[[], object]], batch_size: int, warmup: int = 2, repeats: int = 10, slow: float = 10.0
) -> dict[str, Timing]:
    """Time each zero-argument callable ``repeats`` times, interleaved, after ``warmup`` calls each.

    A callable whose last warm-up call took more than ``slow`` times the fastest one's is already shown
    to be that slow: it is timed in 3 rounds only, so one pathological backend cannot take minutes.

    Taught in: 05 · Evaluate accuracy and latency, § Latency, measured properly.
    """
    names = list(calls)
    last = {}
    for _ in range(warmup):
        for name in names:
            start = time.perf_counter()
            calls[name]()
            last[name] = time.perf_counter() - start
    fastest = min(last.values(), default=0.0)
    rounds = {n: min(repeats, 3) if warmup and last[n] > slow * fastest else repeats for n in names}
    seconds = {name: [] for name in names}
    for r in range(repeats):
        for name in names[r % len(names) :] + names[: r % len(names)]:  # rotate who goes first
            if len(seconds[name]) < rounds[name]:
                start = time.perf_counter()
                calls[name]()
                seconds[name].append(time.perf_counter() - start)
    return {name: Timing(name, batch_size, s) for name, s in seconds.items()}


def model_latency(
    models: dict[str, torch.nn.Module],
    batch_size: int,
    warmup: int = 2,
    repeats: int = 10,
    shape: tuple[int, ...] = (75, 128),
    slow: float = 10.0,
) -> dict[str, Timing]:
    """Model time only: the forward pass on one fixed batch (``batch_size`` × ``shape``), under ``inference_mode``.

    Every model is timed without autograd, float32 and int8 alike (int8 layers never record it). ``slow``: as in
    ``interleaved``, a model that many times slower than the fastest after warm-up is timed in 3 rounds only.
    """
    # made outside inference_mode, like the evaluation's batches: a compiled model guards on the input's kind
    # (an inference tensor or not) and would compile again for the other
    x = torch.randn(batch_size, *shape, generator=torch.Generator().manual_seed(0))

    def call(model):
        def run():
            with torch.inference_mode():
                return model(x)

        return run

    return interleaved({name: call(m) for name, m in models.items()}, batch_size, warmup, repeats, slow)


def feature_latency(extractor, clips: list[np.ndarray], batch_size: int, warmup: int = 1, repeats: int = 5) -> Timing:
    """Data time: waveform -> filter-bank features for one batch, the part int8 cannot speed up."""
    batch = clips[:batch_size]
    run = lambda: extractor(batch, sampling_rate=TARGET_RATE, return_tensors="pt")  # noqa: E731
    return interleaved({"feature extraction": run}, batch_size, warmup, repeats)["feature extraction"]


def dataset_latency(
    models: dict[str, torch.nn.Module], features: torch.Tensor, batch_size: int, warmup: int = 1, repeats: int = 5
) -> dict[str, Timing]:
    """Model time for one full pass over ready-made features (the tutorial's 'Latency' column, measured fairly)."""
    batches = list(torch.split(features, batch_size))

    def call(model):
        def run():
            with torch.inference_mode():
                for batch in batches:
                    model(batch)

        return run

    return interleaved({name: call(m) for name, m in models.items()}, len(features), warmup, repeats)
