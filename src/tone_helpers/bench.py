"""Latency, measured so that two models can be compared fairly.

Every candidate runs in the same process on the same input, interleaved (one call of each per
round, in rotating order), after warm-up calls, and we keep every round's time. Model time is
measured on ready-made features; feature extraction is timed separately.
"""

from __future__ import annotations

import platform
import statistics
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from tone_helpers.audio import TARGET_RATE


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

    def __str__(self) -> str:
        q1, q3 = self.spread
        return (f"{self.name}: median {fmt_time(self.median)} per batch of {self.batch_size} "
                f"(IQR {fmt_time(q1)}–{fmt_time(q3)}, {len(self.seconds)} rounds)")


def fmt_time(seconds: float) -> str:
    """Times always print as ``<number> ms`` or ``<number> s`` (the nbval sanitizer relies on it)."""
    return f"{seconds * 1e3:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


def interleaved(calls: dict[str, Callable[[], object]], batch_size: int, warmup: int = 2,
                repeats: int = 10) -> dict[str, Timing]:
    """Time each zero-argument callable ``repeats`` times, interleaved, after ``warmup`` calls each."""
    names = list(calls)
    for _ in range(warmup):
        for name in names:
            calls[name]()
    seconds = {name: [] for name in names}
    for r in range(repeats):
        for name in names[r % len(names):] + names[: r % len(names)]:  # rotate who goes first
            start = time.perf_counter()
            calls[name]()
            seconds[name].append(time.perf_counter() - start)
    return {name: Timing(name, batch_size, s) for name, s in seconds.items()}


def model_latency(models: dict[str, torch.nn.Module], batch_size: int, warmup: int = 2, repeats: int = 10,
                  max_length: int = 75, num_mel_bins: int = 128) -> dict[str, Timing]:
    """Model time only: the forward pass on one fixed batch of features, under ``inference_mode``."""
    x = torch.randn(batch_size, max_length, num_mel_bins, generator=torch.Generator().manual_seed(0))

    def call(model):
        def run():
            with torch.inference_mode():
                return model(x)
        return run

    return interleaved({name: call(m) for name, m in models.items()}, batch_size, warmup, repeats)


def feature_latency(extractor, clips: list[np.ndarray], batch_size: int, warmup: int = 1,
                    repeats: int = 5) -> Timing:
    """Data time: waveform -> filter-bank features for one batch, the part int8 cannot speed up."""
    batch = clips[:batch_size]
    run = lambda: extractor(batch, sampling_rate=TARGET_RATE, return_tensors="pt")  # noqa: E731
    return interleaved({"feature extraction": run}, batch_size, warmup, repeats)["feature extraction"]


def cpu_int8_features() -> list[str]:
    """The CPU's int8 dot-product extensions that fbgemm/oneDNN can use (Linux; empty elsewhere)."""
    try:
        flags = set(open("/proc/cpuinfo").read().split())
    except OSError:
        return []
    wanted = ["avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8", "asimddp", "i8mm"]
    return [f for f in wanted if f in flags]


def machine_facts() -> dict[str, str]:
    """What a timing depends on: say it next to every number."""
    return {
        "torch": torch.__version__,
        "threads": str(torch.get_num_threads()),
        "quantized engine": torch.backends.quantized.engine,
        "cpu": platform.processor() or platform.machine(),
        "cpu capability": torch.backends.cpu.get_cpu_capability(),
        "int8 features": ", ".join(cpu_int8_features()) or "none found",
    }


def dataset_latency(models: dict[str, torch.nn.Module], features: torch.Tensor, batch_size: int,
                    warmup: int = 1, repeats: int = 5) -> dict[str, Timing]:
    """Model time for one full pass over ready-made features (the tutorial's 'Latency' column, measured fairly)."""
    batches = list(torch.split(features, batch_size))

    def call(model):
        def run():
            with torch.inference_mode():
                for batch in batches:
                    model(batch)
        return run

    return interleaved({name: call(m) for name, m in models.items()}, len(features), warmup, repeats)


def linear_speedup(widths: list[int], tokens: int = 74, warmup: int = 3, repeats: int = 20) -> list[float]:
    """fp32 time / int8 time of one square ``nn.Linear`` on ``tokens`` rows, for each width."""
    ratios = []
    for width in widths:
        layer = torch.nn.Sequential(torch.nn.Linear(width, width)).eval()
        int8 = torch.ao.quantization.quantize_dynamic(layer, {torch.nn.Linear}, dtype=torch.qint8)
        x = torch.randn(tokens, width)
        t = interleaved({"fp32": lambda: layer(x), "int8": lambda: int8(x)}, 1, warmup, repeats)
        ratios.append(t["fp32"].median / t["int8"].median)
    return ratios
