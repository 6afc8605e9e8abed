"""Charts shared by the notebooks. Each returns its figure; the notebook decides to show it."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from cycler import cycler

from tone_helpers.labels import LABELS, NUM_LABELS

# Okabe & Ito's palette, distinguishable with every common colour-vision deficiency; lines also differ in
# marker and dash, so no chart relies on colour alone.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
LINESTYLES = ["-", "--", "-.", ":", "-", "--", "-.", ":"]
HATCHES = ["", "//", "..", "xx", "\\\\", "oo", "++", "--"]  # stacked bars: pattern as well as colour
plt.rcParams["axes.prop_cycle"] = cycler(color=PALETTE) + cycler(marker=MARKERS) + cycler(linestyle=LINESTYLES)


def stacked_bars(ax, groups: dict[str, dict[str, float]], unit: str, title: str) -> None:
    """One bar per group, stacked by part; the total is written above each bar."""
    parts = list(dict.fromkeys(p for g in groups.values() for p in g))
    bottoms = np.zeros(len(groups))
    for part, colour, hatch in zip(parts, PALETTE, HATCHES, strict=False):
        values = np.array([g.get(part, 0.0) for g in groups.values()])
        ax.bar(list(groups), values, bottom=bottoms, label=part, color=colour, hatch=hatch, edgecolor="white")
        bottoms += values
    for x, total in enumerate(bottoms):
        ax.text(x, total, f"{total:.2f}", ha="center", va="bottom")
    ax.set_ylabel(unit)
    ax.set_title(title)
    ax.margins(y=0.15)


def size_breakdown_chart(by_model: dict[str, dict[str, dict[str, float]]]):
    """Side-by-side stacked bar charts of MB by part, one panel per architecture."""
    fig, axes = plt.subplots(1, len(by_model), figsize=(5.5 * len(by_model), 4), squeeze=False)
    for ax, (title, groups) in zip(axes[0], by_model.items(), strict=True):
        stacked_bars(ax, groups, "MB", title)
    axes[0][-1].legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    return fig


def confusion_matrices(results: dict[str, tuple[torch.Tensor, torch.Tensor]], num_classes: int = NUM_LABELS):
    """Counts of (true, predicted) pairs for each model, side by side, on one colour scale."""
    mats = {}
    for name, (preds, labels) in results.items():
        m = torch.zeros(num_classes, num_classes, dtype=torch.long)
        m.index_put_((labels, preds), torch.ones_like(labels), accumulate=True)
        mats[name] = m
    vmax = max(m.max().item() for m in mats.values())
    fig, axes = plt.subplots(1, len(mats), figsize=(4.5 * len(mats), 4))
    names = [LABELS[i] for i in range(num_classes)]
    for ax, (name, m) in zip(np.atleast_1d(axes), mats.items(), strict=True):
        ax.imshow(m.numpy(), cmap="Blues", vmin=0, vmax=vmax)
        for (i, j), v in np.ndenumerate(m.numpy()):
            ax.text(j, i, v, ha="center", va="center", color="white" if v > vmax / 2 else "black")
        ax.set(
            xticks=range(num_classes),
            yticks=range(num_classes),
            xticklabels=names,
            yticklabels=names,
            xlabel="predicted",
            ylabel="true",
            title=name,
        )
        ax.tick_params(axis="x", rotation=45)
    fig.tight_layout()
    return fig, mats


def comparison_chart(rows: dict[str, dict[str, float]]):
    """The tutorial's three columns as three bar panels: size, accuracy, latency."""
    metrics = list(next(iter(rows.values())))
    fig, axes = plt.subplots(1, len(metrics), figsize=(4 * len(metrics), 3.5))
    for ax, metric in zip(axes, metrics, strict=True):
        values = [r[metric] for r in rows.values()]
        ax.bar(list(rows), values, color=PALETTE[: len(rows)])
        ax.set(title=metric, ylabel=metric)
        for x, v in enumerate(values):
            ax.text(x, v, f"{v:.3g}", ha="center", va="bottom")
        ax.margins(y=0.15)
    fig.tight_layout()
    return fig


def speedup_chart(series: dict[str, tuple[list, list]], xlabel: str, title: str):
    """int8-over-fp32 speed ratio against some size; the dashed line marks 'no gain'."""
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for name, (xs, ys) in series.items():
        ax.plot(xs, ys, label=name)
    ax.axhline(1.0, color="grey", linestyle="--", linewidth=1)
    ax.set(xlabel=xlabel, ylabel="fp32 time / int8 time", title=title)
    ax.legend()
    fig.tight_layout()
    return fig


def bubble_chart(results: dict[str, dict], title: str, clips: int):
    """Accuracy against time per clip (at the largest batch each backend was timed at); bubble area ∝ MB.

    Each accuracy carries its 95 % Wilson interval over ``clips`` clips as an error bar, and the y axis
    always spans every interval: two backends whose bars overlap cannot be told apart on this many clips,
    so the axis must not zoom in until a difference of one clip looks like a different class of model.
    """
    from tone_helpers.evaluate import wilson_interval

    fig, ax = plt.subplots(figsize=(9, 4.5))
    biggest = max(r["size (MB)"] for r in results.values())
    lows, highs = [], []
    for (name, r), colour, marker in zip(results.items(), PALETTE * 2, MARKERS * 2, strict=False):
        x = 1e3 / r["clips/s"]
        size = 1500 * r["size (MB)"] / biggest
        label = f"{name}, {r['size (MB)']:.2f} MB"
        low, high = wilson_interval(round(r["accuracy"] * clips), clips)
        lows.append(low)
        highs.append(high)
        ax.errorbar(
            x,
            r["accuracy"],
            yerr=[[r["accuracy"] - low], [high - r["accuracy"]]],
            fmt="none",
            ecolor=colour,
            capsize=5,
            linewidth=1.5,
        )
        ax.scatter(x, r["accuracy"], s=size, alpha=0.5, color=colour, marker=marker, label=label)
    ax.set(
        xlabel="time per clip (ms), largest batch timed",
        ylabel=f"accuracy (bars: 95 % interval, {clips} clips)",
        title=title,
    )
    ax.margins(x=0.25)
    ax.set_xlim(left=0)  # a time per clip is never negative; the margin alone would start the axis below 0
    pad = 0.15 * (max(highs) - min(lows))  # room for the bubbles at the ends of the bars
    ax.set_ylim(max(0.0, min(lows) - pad), min(1.0, max(highs) + pad))
    # a legend rather than labels on the bubbles: backends with equal accuracy and speed overlap
    legend = ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=8, frameon=False)
    for handle in legend.legend_handles:
        handle.set_sizes([60])
    fig.tight_layout()
    return fig


def weight_histogram(w: torch.Tensor, scale: float, title: str):
    """A weight matrix's values, with the int8 grid's outermost steps and the histogram on a log count axis."""
    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    ax.hist(w.flatten().numpy(), bins=255, color=PALETTE[0])
    for edge, style in ((127.5 * scale, "--"), (-127.5 * scale, "--")):
        ax.axvline(edge, color=PALETTE[5], linestyle=style, linewidth=1)
    ax.set(yscale="log", xlabel="weight value", ylabel="count (log scale)", title=title)
    fig.tight_layout()
    return fig


def per_channel_errors(errors: dict[str, np.ndarray], title: str):
    """Relative rounding error of each output row, one line per scheme."""
    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    for name, values in errors.items():
        ax.plot(100 * values, label=name, markersize=3, linewidth=1)
    ax.set(xlabel="output channel (row of W)", ylabel="relative error (%)", title=title)
    ax.legend()
    fig.tight_layout()
    return fig


def bits_chart(bits: list[int], series: dict[str, list[float]], title: str):
    """Accuracy and agreement with float32 (in %) against weight bits."""
    fig, ax = plt.subplots(figsize=(6, 3.2))
    for name, values in series.items():
        ax.plot(bits, [100 * v for v in values], label=name)
    ax.set(xlabel="bits per weight", ylabel="% of clips", title=title, xticks=bits)
    ax.invert_xaxis()
    ax.legend()
    fig.tight_layout()
    return fig


def clip_gallery(clips: list[dict]):
    """One column per clip: the model's input (log-mel filter bank) above the pitch contour a listener hears.

    Each clip is a dict with ``title``, ``features`` (frames × mel bins) and ``pitch`` (times in s, Hz).
    """
    # a low resolution and unsmoothed pixels keep the PNG stored in the notebook small (noise compresses badly)
    fig, axes = plt.subplots(2, len(clips), figsize=(2.6 * len(clips), 4.4), sharex="col", squeeze=False, dpi=72)
    top = max(np.nanmax(c["pitch"][1]) for c in clips if np.isfinite(c["pitch"][1]).any())
    for column, clip in enumerate(clips):
        spec, pitch = axes[0][column], axes[1][column]
        frames = clip["features"].shape[0]
        extent = (0, frames / 100, 0, 128)
        spec.imshow(
            clip["features"].T,
            origin="lower",
            aspect="auto",
            cmap=plt.get_cmap("magma", 12),
            extent=extent,
            interpolation="nearest",
        )
        spec.set(title=clip["title"], ylabel="mel bin" if column == 0 else None)
        times, hz = clip["pitch"]
        pitch.plot(times, hz, color=PALETTE[0], marker=".", linestyle="-", markersize=3)
        pitch.set(ylim=(0, top * 1.1), xlabel="time (s)", ylabel="pitch (Hz)" if column == 0 else None)
    fig.suptitle("What the model reads (top) and the pitch you hear (bottom)")
    fig.tight_layout()
    return fig


def sensitivity_chart(damage_by_bits: dict[int, dict[str, float]], measure: str):
    """One row per layer group, one marker per bit width: how far the model moves when only that group is cut."""
    groups = list(next(iter(damage_by_bits.values())))
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(groups) + 1.4))
    for (bits, by_group), colour, marker in zip(damage_by_bits.items(), PALETTE, MARKERS, strict=False):
        values = [by_group[g] for g in groups]
        ax.plot(values, range(len(groups)), linestyle="none", marker=marker, color=colour, label=f"{bits} bits")
    ax.set(yticks=range(len(groups)), yticklabels=groups, xscale="log", xlabel=f"{measure} vs float32 (log scale)")
    ax.set_title("Which layers are fragile: only one group quantized at a time")
    ax.invert_yaxis()
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    fig.tight_layout()
    return fig


def tradeoff_chart(paths: dict[str, list[tuple[float, float]]], chosen: tuple[float, float], floor: float, title: str):
    """Accuracy against size, one line per way of quantizing (a point per choice), the chosen point starred."""
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, points in paths.items():
        sizes, accuracies = zip(*points, strict=True)
        ax.plot(sizes, [100 * a for a in accuracies], label=name, markersize=5)
    ax.plot(*chosen[:1], 100 * chosen[1], marker="*", markersize=18, color="black", linestyle="none", label="chosen")
    ax.axhline(100 * floor, color="grey", linestyle=":", linewidth=1, label="tolerance")
    ax.set(xlabel="model size (MB; notional below 8 bits)", ylabel="validation accuracy (%)", title=title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def grid_data(lo: float, hi: float, qmin: int, qmax: int, values: list[float]) -> dict:
    """The int8 grid that maps [lo, hi] onto [qmin, qmax], and where each of ``values`` lands on it.

    Taught in: 03 · int8 by hand, § 1 · The affine map.
    """
    from tone_helpers import int8

    scale, zero_point = int8.affine_params(lo, hi, qmin, qmax)
    levels = [scale * (q - zero_point) for q in range(qmin, qmax + 1)]
    q = int8.quantize(torch.tensor(values), scale, zero_point, qmin, qmax).tolist()
    landed = [scale * (code - zero_point) for code in q]
    clipped = [not (levels[0] - scale / 2 <= v <= levels[-1] + scale / 2) for v in values]
    return {
        "scale": scale,
        "zero_point": zero_point,
        "levels": levels,
        "values": list(values),
        "codes": q,
        "landed": landed,
        "clipped": clipped,
        "range": (qmin, qmax),
    }


def int8_grid_chart(data: dict, title: str):
    """The float axis with its int8 levels (ticks), the zero point, one step, and values rounded (→) or clipped (✕)."""
    fig, ax = plt.subplots(figsize=(10, 2.6))
    levels, scale = data["levels"], data["scale"]
    ax.vlines(levels, -0.15, 0.15, color="#999999", linewidth=0.6)
    ax.axhline(0, color="black", linewidth=0.8)
    zero = data["zero_point"] - data["range"][0]
    ax.vlines([levels[0], levels[-1]], -0.3, 0.3, color=PALETTE[5], linewidth=2)
    ax.vlines(levels[zero], -0.3, 0.3, color=PALETTE[0], linewidth=2)
    ax.annotate(f"q = {data['range'][0]}", (levels[0], -0.35), ha="center", va="top", color=PALETTE[5])
    ax.annotate(f"q = {data['range'][1]}", (levels[-1], -0.35), ha="center", va="top", color=PALETTE[5])
    ax.annotate(f"zero point q = {data['zero_point']} ↔ 0.0", (levels[zero], 0.35), ha="center", color=PALETTE[0])
    mid = len(levels) * 3 // 4
    ax.annotate("", (levels[mid], -0.55), (levels[mid + 1], -0.55), arrowprops={"arrowstyle": "<->"})
    ax.annotate(f"one step = scale {scale:.4g}", (levels[mid], -0.62), ha="center", va="top", fontsize=8)
    for v, landed, clipped in zip(data["values"], data["landed"], data["clipped"], strict=True):
        colour = PALETTE[5] if clipped else PALETTE[2]
        ax.plot([v], [0.75], marker="x" if clipped else "o", color=colour, linestyle="none")
        ax.annotate("", (landed, 0.05), (v, 0.7), arrowprops={"arrowstyle": "->", "color": colour})
    ax.set(ylim=(-1, 1.1), yticks=[], xlabel="float value", title=title)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig


def linear_path_data(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> list[dict]:
    """Each stage of a dynamic int8 ``Linear`` on the x86 engine, computed: its name, dtype, shape and values.

    Taught in: 03 · int8 by hand, § 5 · An integer-only linear layer.
    """
    from tone_helpers import int8

    x_scale, x_zp = int8.affine_params(x.min().item(), x.max().item(), 0, 127)  # 7-bit activations (x86)
    xq = int8.engine_quantize(x, x_scale, x_zp, 0, 127).to(torch.uint8)
    w_scale = int8.symmetric_scale(weight).item()
    wq = torch.clamp(torch.round(weight / w_scale), -128, 127).to(torch.int8)
    acc = (xq.to(torch.int32) - x_zp) @ wq.to(torch.int32).T
    y = acc.to(torch.float32) * (x_scale * w_scale) + bias
    stages = [
        ("float input x", x, "from the layer before"),
        ("its range", torch.tensor([x.min().item(), x.max().item()]), "min and max, on every call"),
        ("u8 input", xq, f"on 0…127 (x86): scale {x_scale:.3g}, zero point {x_zp}"),
        ("s8 weights", wq, f"stored; scale {w_scale:.3g}"),
        ("int32 sums", acc, "(u8 − zero point) × s8, summed"),
        ("float output", y, "× both scales, + float bias"),
    ]
    return [
        {"name": n, "dtype": str(t.dtype).removeprefix("torch."), "shape": tuple(t.shape), "note": note, "values": t}
        for n, t, note in stages
    ]


def linear_path_chart(stages: list[dict], title: str):
    """The data path of a dynamic int8 ``Linear`` as boxes and arrows: what each stage holds, its dtype and shape.
    The stored weights join from below, into the integer sums."""
    fig, ax = plt.subplots(figsize=(12, 3.2))
    chain = [s for s in stages if s["name"] != "s8 weights"]
    width = 1 / len(chain)

    def box(x, y, stage, note_at):
        colour = PALETTE[0] if stage["dtype"].startswith("float") else PALETTE[1]
        ax.text(
            x,
            y,
            f"{stage['name']}\n{stage['dtype']} {tuple(stage['shape'])}",
            ha="center",
            va="center",
            fontsize=9,
            bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": colour, "linewidth": 2},
        )
        ax.text(x, y + note_at, stage["note"], ha="center", va="center", fontsize=7.5)

    for i, stage in enumerate(chain):
        x = i * width + width / 2
        box(x, 0.7, stage, 0.17)
        if i:
            ax.annotate("", (x - width * 0.38, 0.7), (x - width * 0.62, 0.7), arrowprops={"arrowstyle": "->"})
        if stage["name"] == "int32 sums":
            box(x, 0.22, next(s for s in stages if s["name"] == "s8 weights"), -0.15)
            ax.annotate("", (x, 0.58), (x, 0.34), arrowprops={"arrowstyle": "->"})
    ax.set(xlim=(0, 1), ylim=(0, 1), title=title)
    ax.axis("off")
    fig.tight_layout()
    return fig


def op_changes_chart(changes: dict[str, tuple[int, int]], before: str, after: str, title: str):
    """The operators a quantizer changed, before and after, as paired horizontal bars (``graphs.changed_ops``)."""
    names = list(changes)[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(names) + 1.4))
    y = np.arange(len(names))
    counts = np.array([changes[n] for n in names]).reshape(-1, 2)
    ax.barh(y + 0.2, counts[:, 0], height=0.4, color=PALETTE[0], label=before)
    ax.barh(y - 0.2, counts[:, 1], height=0.4, color=PALETTE[1], hatch="//", label=after)
    for row, (b, a) in zip(y, counts, strict=True):
        ax.text(b, row + 0.2, f" {b}", va="center", fontsize=8)
        ax.text(a, row - 0.2, f" {a}", va="center", fontsize=8)
    ax.set(yticks=y, yticklabels=names, xlabel="operators in the graph", title=title)
    ax.legend(loc="lower right", fontsize=8)
    ax.margins(x=0.12)
    fig.tight_layout()
    return fig


def time_split(
    shares_fp32: dict[str, float],
    t32: float,
    shares_int8: dict[str, float],
    t8: float,
    linear_speedup: float,
    linear_fp32: str,
    linear_int8: str,
) -> dict[str, dict[str, float]]:
    """Milliseconds per part of the model: float32 and int8 as measured, and Amdahl's prediction (the float32 run
    with only its Linear layers ``linear_speedup`` times faster).

    Taught in: 10 · Why int8 is fast, measured, § 3 · Where AST base spends its time (Amdahl's law).
    """
    fp32 = {part: 1e3 * t32 * share for part, share in shares_fp32.items() if share}
    int8 = {
        part.replace(linear_int8, "Linear layers"): 1e3 * t8 * share for part, share in shares_int8.items() if share
    }
    fp32 = {part.replace(linear_fp32, "Linear layers"): ms for part, ms in fp32.items()}
    amdahl = {part: ms / linear_speedup if part == "Linear layers" else ms for part, ms in fp32.items()}
    return {"float32, measured": fp32, "Amdahl's prediction": amdahl, "int8, measured": int8}


def time_split_chart(split: dict[str, dict[str, float]], title: str):
    """Stacked bars of milliseconds by part of the model (``time_split``)."""
    fig, ax = plt.subplots(figsize=(7, 4.2))
    stacked_bars(ax, split, "ms per batch", title)
    ax.legend(loc="upper right", fontsize=7)
    fig.tight_layout()
    return fig
