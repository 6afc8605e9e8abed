"""Checkers for the notebooks' exercises: call one with your answer, read a verdict.

Each checker prints ``✓ passed`` or ``✗`` with what is wrong and a hint, and returns ``None`` so a notebook
cell shows only the verdict. An unsolved exercise (``None``, or a function that raises ``NotImplementedError``)
prints "not solved yet". The verdicts come from fixed small tensors and exact integer arithmetic, so they are
the same on every CPU. Worked solutions are in ``solutions/`` at the top of the repository.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

NOT_SOLVED = "… not solved yet: replace the placeholder with your answer and run this cell again"


class Wrong(Exception):
    """What is wrong with an answer, said so that a student can act on it."""


def _report(verdict: Callable[[], str]) -> None:
    """Run a verdict, print it; a placeholder reads as "not solved yet", a crash as what it was."""
    try:
        print(f"✓ passed: {verdict()}")
    except NotImplementedError:
        print(NOT_SOLVED)
    except Wrong as wrong:
        print(f"✗ not yet: {wrong}")
    except Exception as error:  # a student's bug: name it, no traceback
        print(f"✗ your code raised {type(error).__name__}: {error}")


def _ints(t) -> torch.Tensor:
    if not isinstance(t, torch.Tensor):
        raise Wrong(f"expected a tensor, got {type(t).__name__}")
    if t.is_floating_point() and not torch.equal(t, t.round()):
        raise Wrong("some values are not whole numbers: quantized values are integers — round them")
    return t.to(torch.int64)


# --- notebook 03: int8 by hand ---------------------------------------------------------------------------

AFFINE_CASES = [(-1.0, 3.0, 0, 255), (-0.3, 0.5, 0, 127), (0.5, 2.0, 0, 255), (-2.0, -0.25, -128, 127)]


def affine_params_verdict(fn) -> str:
    from tone_helpers.int8 import affine_params

    for lo, hi, qmin, qmax in AFFINE_CASES:
        want_scale, want_zp = affine_params(lo, hi, qmin, qmax)
        got = fn(lo, hi, qmin, qmax)
        if not (isinstance(got, tuple) and len(got) == 2):
            raise Wrong("return two values: (scale, zero_point)")
        scale, zp = float(got[0]), got[1]
        if int(zp) != zp:
            raise Wrong(f"zero point {zp} is not a whole number: it is stored as an integer, round it")
        case = f"for lo={lo}, hi={hi}, range [{qmin}, {qmax}]"
        if abs(scale - want_scale) > 1e-6 * want_scale:
            hint = "widen [lo, hi] to contain 0 first" if lo > 0 or hi < 0 else "divide by qmax − qmin, the steps"
            raise Wrong(f"scale {scale:.6g} {case}, expected {want_scale:.6g} — {hint}")
        if zp != want_zp:
            off = "off by one: round qmin − lo/scale, don't truncate it" if abs(zp - want_zp) == 1 else ""
            raise Wrong(f"zero point {zp} {case}, expected {want_zp} {off}".strip())
    return f"scale and zero point right on {len(AFFINE_CASES)} ranges, including ranges that exclude 0"


def affine_params(fn) -> None:
    """Exercise 03.1: ``fn(lo, hi, qmin, qmax) -> (scale, zero_point)``."""
    _report(lambda: affine_params_verdict(fn))


QUANTIZE_X = torch.tensor([-2.0, -0.26, -0.24, 0.0, 0.13, 0.74, 0.76, 1.3, 9.0])  # no ties: any rounding agrees


def quantize_verdict(fn) -> str:
    from tone_helpers.int8 import quantize

    scale, zp, qmin, qmax = 0.1, 3, 0, 15
    got = _ints(fn(QUANTIZE_X, scale, zp, qmin, qmax))
    want = quantize(QUANTIZE_X, scale, zp, qmin, qmax).to(torch.int64)
    if got.shape != want.shape:
        raise Wrong(f"shape {tuple(got.shape)}, expected {tuple(want.shape)}: quantize every element")
    if torch.equal(got, want):
        return "rounding, zero point and clamping all right"
    raw = QUANTIZE_X / scale
    if torch.equal(got, torch.clamp(raw.trunc() + zp, qmin, qmax).long()):
        raise Wrong("you truncate (−2.6 → −2); round to the nearest step instead (−2.6 → −3): torch.round")
    if got.min() < qmin or got.max() > qmax:
        raise Wrong(f"values {got.min().item()}…{got.max().item()} leave [{qmin}, {qmax}]: clamp them")
    if torch.equal(got, torch.clamp(torch.round(raw) - zp, qmin, qmax).long()):
        raise Wrong("the zero point is subtracted; q = round(x / S) + Z adds it")
    bad = (got != want).nonzero().flatten()[0].item()
    raise Wrong(f"x = {QUANTIZE_X[bad].item()} gave {got[bad].item()}, expected {want[bad].item()}")


def quantize(fn) -> None:
    """Exercise 03.2: ``fn(x, scale, zero_point, qmin, qmax) -> integer tensor``."""
    _report(lambda: quantize_verdict(fn))


def _fixed_weight() -> torch.Tensor:
    g = torch.Generator().manual_seed(3)
    w = torch.randn(6, 16, generator=g) * torch.tensor([0.02, 0.05, 0.1, 0.2, 0.5, 1.0]).unsqueeze(1)
    w[2, 5] = 0.9  # one outlier row: per-channel scales keep it from coarsening the other rows
    return w


def per_channel_scales_verdict(fn) -> str:
    from torch.ao.quantization.observer import PerChannelMinMaxObserver

    w = _fixed_weight()
    observer = PerChannelMinMaxObserver(ch_axis=0, dtype=torch.qint8, qscheme=torch.per_channel_symmetric)
    observer(w)
    want = observer.calculate_qparams()[0]  # PyTorch's own per-channel int8 weight scales
    got = fn(w)
    if not isinstance(got, torch.Tensor) or got.numel() == 1:
        raise Wrong("one scale for the whole tensor is per-tensor; return one scale per output row")
    got = got.flatten().to(torch.float32)
    if got.numel() == w.shape[1]:
        raise Wrong(f"{got.numel()} scales: one per input column; take max |w| along dim=1, per output row")
    if got.numel() != w.shape[0]:
        raise Wrong(f"{got.numel()} scales for a {w.shape[0]}×{w.shape[1]} weight; expected {w.shape[0]}")
    if torch.allclose(got * 127 / 127.5, want, rtol=1e-5):  # max |w| / 127: each scale 127.5/127 too large
        raise Wrong("divide by 127.5, not 127: qint8 spans −128…127, 255 steps, and PyTorch uses all of them")
    if not torch.allclose(got, want, rtol=1e-5):
        raise Wrong(f"scales {got.tolist()[:3]}…, PyTorch gives {want.tolist()[:3]}…: max |w| per row / 127.5")
    return "one scale per output row, as PyTorch's per-channel observer computes them"


def rounding_bound_verdict(prediction, int8_weight: torch.Tensor, float_weight: torch.Tensor) -> str:
    """Exercise 02.1: the tight bound on |W_int8·scale − W| is half a step; a whole step or more is not it."""
    bound = float(_answered(prediction))
    worst = (int8_weight.dequantize() - float_weight).abs().max().item()
    scale = int8_weight.q_scale()
    said = f"the worst weight moved by {worst:.6f} = {worst / scale:.4f} scale; your bound: {bound:.6f}"
    if worst > 1.01 * bound:  # 1 %: room for a scale copied from a rounded printout
        raise Wrong(
            f"{said}: a weight moved further than your bound — how far can rounding to the nearest step move a value?"
        )
    if bound > 1.02 * worst:  # 2 % above the worst weight: a bound, but not the tight one
        raise Wrong(
            f"{said}: a bound, but a loose one — can rounding to the *nearest* step move a weight a whole step?"
        )
    return f"{said}: the tight bound, half a step"


def rounding_bound(prediction, int8_weight: torch.Tensor, float_weight: torch.Tensor) -> None:
    """Exercise 02.1: your bound on how far rounding moves a weight of one layer, against its worst weight."""
    _report(lambda: rounding_bound_verdict(prediction, int8_weight, float_weight))


def per_channel_scales(fn) -> None:
    """Exercise 03.3: ``fn(w) -> one symmetric int8 scale per output row of w``."""
    _report(lambda: per_channel_scales_verdict(fn))


def _linear_case():
    g = torch.Generator().manual_seed(7)
    xq = torch.randint(200, 256, (3, 64), generator=g)  # large codes: their sums overflow int8 and int16
    wq = torch.randint(100, 128, (4, 64), generator=g) * torch.tensor([1, -1, 1, -1]).unsqueeze(1)
    return xq, 12, wq, 0.02, 0.003, torch.tensor([0.5, -0.5, 0.25, 0.0])


def int_linear_verdict(fn) -> str:
    from tone_helpers.int8 import int_linear

    xq, zp, wq, xs, ws, bias = _linear_case()
    want = int_linear(xq, zp, wq, xs, ws, bias)
    got = fn(xq, zp, wq, xs, ws, bias)
    if not isinstance(got, torch.Tensor) or got.shape != want.shape:
        raise Wrong(f"return a float tensor of shape {tuple(want.shape)}: one row per input, one column per output")
    if torch.allclose(got, want, rtol=1e-5, atol=1e-5):
        return "sums kept whole (int32 in the engine), zero point and rescale all right"
    acc8 = ((xq - zp) @ wq.T).to(torch.int8).to(torch.float32) * (xs * ws) + bias
    acc16 = ((xq - zp) @ wq.T).to(torch.int16).to(torch.float32) * (xs * ws) + bias
    if torch.allclose(got, acc8, atol=1e-5) or torch.allclose(got, acc16, atol=1e-5):
        raise Wrong("the sums overflowed: 64 products of up to 243×127 need int32 accumulators, not int8/int16")
    if torch.allclose(got, (xq @ wq.T).float() * (xs * ws) + bias, atol=1e-5):
        raise Wrong("subtract the activations' zero point before multiplying: r = S·(q − Z)")
    if torch.allclose(got, want - bias, atol=1e-5):
        raise Wrong("add the bias (in float, after the rescale)")
    raise Wrong(f"largest difference {(got - want).abs().max().item():.3g}; acc = (xq − Z) @ wqᵀ, then × S_x·S_w")


def int_linear(fn) -> None:
    """Exercise 03.4: ``fn(xq, x_zero_point, wq, x_scale, w_scale, bias) -> float output``."""
    _report(lambda: int_linear_verdict(fn))


# --- questions with one right answer in the other notebooks ------------------------------------------------


def _answered(answer):
    if answer is None or answer is ...:
        raise NotImplementedError
    return answer


def length_parameter_verdict(answer) -> str:
    from tone_helpers import build_model

    name = str(_answered(answer))
    short = dict(build_model("tiny", max_length=75).named_parameters())
    long = dict(build_model("tiny", max_length=150).named_parameters())
    grows = [n for n in short if short[n].shape != long[n].shape]
    if name not in short:
        raise Wrong(f"{name!r} is not a parameter name; list them with model.named_parameters()")
    if name not in grows:
        raise Wrong(f"{name} has the same shape at every length: which parameter has one row per patch?")
    return f"{name} holds one vector per patch position, and longer inputs have more patches"


def length_parameter(answer) -> None:
    """Exercise 01.1: the name of the parameter whose size depends on ``max_length``."""
    _report(lambda: length_parameter_verdict(answer))


def checkpoint_keys_verdict(answer) -> str:
    from tone_helpers import notebook

    got = set(_answered(answer))
    path = notebook.USER_INPUTS.get("checkpoint") or notebook.checkpoint_path(None)  # the notebook's CHECKPOINT
    want = set(torch.load(path, map_location="cpu", weights_only=True))
    if got != want:
        missing, extra = sorted(want - got), sorted(got - want)
        raise Wrong(f"missing {missing}, not in the file {extra}" if extra else f"missing {missing}")
    if "optimizer_states" in want:
        return f"{len(want)} keys, optimizer state included: saved by a trainer's default checkpointing"
    return (
        f"{len(want)} keys, no optimizer state: saved with save_checkpoint(path, weights_only=True), as tone-train does"
    )


def checkpoint_keys(answer) -> None:
    """Exercise 01.2: the set of top-level keys in the embedded checkpoint."""
    _report(lambda: checkpoint_keys_verdict(answer))


HALF_SIZE_TOLERANCE = 0.05  # half the float32 file, the natural prediction, lands within it; a quarter does not


def half_size_verdict(answer_mb) -> str:
    """Right within 5 %; a wrong try learns only its direction and a hint, never the measured size."""
    from tone_helpers import LightningToneClassifier, notebook
    from tone_helpers.measure import model_size_mb

    got = float(_answered(answer_mb))
    path = notebook.USER_INPUTS.get("checkpoint") or notebook.checkpoint_path(None)  # the notebook's CHECKPOINT
    model = LightningToneClassifier.load_from_checkpoint(path, map_location="cpu", weights_only=True).model
    fp32 = model_size_mb(model)
    want = model_size_mb(model.half())
    if abs(got - want) <= HALF_SIZE_TOLERANCE * want:
        return f"{want:.3f} MB measured: every parameter at 2 bytes, plus the file's per-tensor overhead"
    if abs(got - fp32) <= HALF_SIZE_TOLERANCE * fp32:
        raise Wrong("that is about the float32 size: model.half() turns every float32 tensor into float16")
    if got > want:
        raise Wrong("too large: a float16 value takes 2 bytes instead of float32's 4; measure with model_size_mb")
    raise Wrong(
        "too small: float16 keeps 2 bytes per value (int8 would keep 1), and names and metadata do not shrink;"
        " measure with model_size_mb"
    )


def half_size(answer_mb) -> None:
    """Exercise 04.3: the size in MB of the embedded model converted with ``model.half()``."""
    _report(lambda: half_size_verdict(answer_mb))
