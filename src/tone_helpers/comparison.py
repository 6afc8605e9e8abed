"""One measuring object for every backend: size, accuracy, agreement and latency, measured the same way.

A backend is anything called as ``model(input_values).logits`` (a 🤗 model, a quantized copy, an
``OrtClassifier``, a wrapped compiled graph) plus its size in MB, measured by the caller in the way
that fits its format (state dict or file on disk).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from tone_helpers.backends import Backend
from tone_helpers.evaluate import logits_and_labels
from tone_helpers.report import Table
from tone_helpers.timing import Timing, fmt_median, model_latency


@dataclass
class PerformanceBenchmark:
    """Interleaved latency for all backends at once; accuracy and agreement when a data set is given.

    Taught in: 08 · Every backend side by side, § The trained model: accuracy, size and speed.
    """

    dataset: torch.utils.data.Dataset | None = None
    batch_sizes: tuple[int, ...] = (1, 8)
    warmup: int = 2
    repeats: int = 10
    # 10×: a backend that far behind has lost on speed at any batch, and timing it again can take the reader
    # minutes (torchao's scalar int8 fallback on a CPU without AVX-512 VNNI takes seconds per AST-base call)
    slow: float = 10.0
    # False: a backend not timed at the largest batch, for being slow at a smaller one, is not run on the data set
    # either (08's small preset: torchao's scalar fallback would take minutes over 1000 clips); accuracy "not run"
    evaluate_slow: bool = True
    results: dict = field(default_factory=dict)
    logits: dict = field(default_factory=dict)  # name -> each clip's logits, for further checks without a rerun
    predictions: dict = field(default_factory=dict)  # name -> predicted class of each clip

    def run(self, backends: dict[str, Backend], reference: str) -> dict:
        """Measure every backend; ``reference`` names the one the speed-up and agreement are relative to.

        Batch sizes run smallest first; a backend already ``slow`` times slower than the reference is not
        timed at the larger ones (its row says so): the reader does not wait minutes on a path shown slow.
        """
        timings, timed = {}, dict(backends)
        for bs in sorted(self.batch_sizes):
            models = {n: b.model for n, b in timed.items()}
            timings[bs] = model_latency(models, bs, self.warmup, self.repeats, slow=self.slow)
            timed = {
                n: b for n, b in timed.items() if timings[bs][n].median <= self.slow * timings[bs][reference].median
            }
        # in batches of the largest timed size: a compiled backend timed at that size has a graph for it already
        # (a shorter last batch may compile once more)
        batch = max(self.batch_sizes)
        if not self.dataset:
            evaluated = {}
        elif self.evaluate_slow:
            evaluated = backends
        else:  # the backends timed at the largest batch (the others were over `slow` at a smaller one)
            evaluated = {n: b for n, b in backends.items() if n in timings[batch]}
        self.logits = {n: logits_and_labels(b.model, self.dataset, batch)[0] for n, b in evaluated.items()}
        self.predictions = preds = {n: logits.argmax(-1) for n, logits in self.logits.items()}
        labels = self.dataset.labels if self.dataset else None
        self.results = {}
        for name, backend in backends.items():
            row = {"size (MB)": backend.size_mb}
            if self.dataset:
                row["accuracy"] = (preds[name] == labels).float().mean().item() if name in preds else None
                row["agreement"] = (preds[name] == preds[reference]).float().mean().item() if name in preds else None
            for bs, t in timings.items():
                row[f"latency b{bs}"] = t.get(name)
                row[f"speed-up b{bs}"] = t[reference].median / t[name].median if name in t else None
            largest = max(bs for bs, t in timings.items() if name in t)
            row["clips/s"] = largest / timings[largest][name].median
            self.results[name] = row
        return self.results

    def table(self) -> Table:
        """The results as a table: times as medians, ratios against the reference backend."""
        header = list(next(iter(self.results.values())))
        rows = [
            [name] + [_format(key, value, self.repeats) for key, value in row.items()]
            for name, row in self.results.items()
        ]
        return Table(["backend"] + header, rows)


def _format(key: str, value, repeats: int) -> str:
    if value is None:
        return "not run (too slow)" if key in ("accuracy", "agreement") else "not timed (too slow)"
    if isinstance(value, Timing):  # fewer rounds: over `slow` behind after warm-up (timing.interleaved)
        fewer = f" ({len(value.seconds)} rounds)" if len(value.seconds) < repeats else ""
        return fmt_median(value) + fewer
    if key in ("accuracy",):
        return f"{value:.3f}"
    if key == "agreement":
        return f"{100 * value:.1f} %"
    if key.startswith("speed-up"):
        return f"{value:.2f}×"
    if key == "clips/s":
        return f"{value:.0f}"
    return f"{value:.2f}"
