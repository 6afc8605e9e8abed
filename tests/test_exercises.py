"""Every checker accepts its solution and rejects the typical wrong answers, naming the mistake."""

import importlib.util

import pytest
import torch

from tone_helpers import exercises, int8, paths


def load_solutions():
    spec = importlib.util.spec_from_file_location("solutions", paths.REPO_ROOT / "solutions" / "solutions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


solutions = load_solutions()


def verdict(checker, answer) -> str:
    """The line a checker prints for an answer (the test's view of a notebook cell)."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        checker(answer)
    return out.getvalue().strip()


@pytest.mark.parametrize(
    "checker, answer",
    [
        (exercises.affine_params, solutions.affine_params),
        (exercises.quantize, solutions.quantize),
        (exercises.per_channel_scales, solutions.per_channel_scales),
        (exercises.int_linear, solutions.int_linear),
        (exercises.length_parameter, solutions.LENGTH_PARAMETER),
        (exercises.checkpoint_keys, solutions.CHECKPOINT_KEYS),
        (exercises.half_size, solutions.HALF_SIZE_MB),
    ],
)
def test_the_solution_passes(checker, answer):
    assert verdict(checker, answer).startswith("✓ passed")


def placeholder(*args):
    raise NotImplementedError


@pytest.mark.parametrize(
    "checker", [exercises.affine_params, exercises.quantize, exercises.per_channel_scales, exercises.int_linear]
)
def test_an_unsolved_exercise_says_so_without_a_traceback(checker):
    assert verdict(checker, placeholder) == exercises.NOT_SOLVED


@pytest.mark.parametrize("checker", [exercises.length_parameter, exercises.checkpoint_keys, exercises.half_size])
def test_an_unanswered_question_says_so(checker):
    assert verdict(checker, None) == exercises.NOT_SOLVED


def truncating_zero_point(lo, hi, qmin, qmax):
    scale, _ = solutions.affine_params(lo, hi, qmin, qmax)
    return scale, int(qmin - min(lo, 0.0) / scale)


def no_widening(lo, hi, qmin, qmax):
    scale = (hi - lo) / (qmax - qmin)
    return scale, round(qmin - lo / scale)


def steps_off_by_one(lo, hi, qmin, qmax):
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = (hi - lo) / (qmax - qmin + 1)
    return scale, round(qmin - lo / scale)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (truncating_zero_point, "off by one"),
        (no_widening, "contain 0"),
        (steps_off_by_one, "qmax − qmin"),
        (lambda lo, hi, qmin, qmax: 0.1, "two values"),
    ],
)
def test_affine_params_names_the_mistake(wrong, message):
    line = verdict(exercises.affine_params, wrong)
    assert line.startswith("✗") and message in line


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda x, s, z, lo, hi: torch.clamp((x / s).trunc() + z, lo, hi), "truncate"),
        (lambda x, s, z, lo, hi: torch.round(x / s) + z, "clamp"),
        (lambda x, s, z, lo, hi: torch.clamp(torch.round(x / s) - z, lo, hi), "zero point"),
        (lambda x, s, z, lo, hi: torch.clamp(x / s + z, lo, hi), "whole numbers"),
        (lambda x, s, z, lo, hi: torch.round(x[:3]), "shape"),
    ],
)
def test_quantize_names_the_mistake(wrong, message):
    line = verdict(exercises.quantize, wrong)
    assert line.startswith("✗") and message in line


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda w: w.abs().max() / 127.5, "per-tensor"),
        (lambda w: w.abs().amax(dim=1) / 127, "divide by 127.5, not 127"),
        (lambda w: w.abs().amax(dim=0) / 127.5, "input column"),
        (lambda w: torch.full((w.shape[0],), w.abs().max().item() / 127.5), "max |w| per row"),
    ],
)
def test_per_channel_scales_names_the_mistake(wrong, message):
    line = verdict(exercises.per_channel_scales, wrong)
    assert line.startswith("✗") and message in line


def int8_accumulator(xq, zp, wq, xs, ws, bias):
    acc = torch.zeros(xq.shape[0], wq.shape[0], dtype=torch.int8)
    for k in range(xq.shape[1]):  # a running sum kept in 8 bits wraps around
        acc += ((xq[:, k : k + 1] - zp) * wq[:, k]).to(torch.int8)
    return acc.to(torch.float32) * (xs * ws) + bias


@pytest.mark.parametrize(
    "wrong, message",
    [
        (int8_accumulator, "int32"),
        (lambda xq, zp, wq, xs, ws, b: (xq @ wq.T).float() * (xs * ws) + b, "zero point"),
        (lambda xq, zp, wq, xs, ws, b: ((xq - zp) @ wq.T).float() * (xs * ws), "bias"),
        (lambda xq, zp, wq, xs, ws, b: ((xq - zp) @ wq.T).float() * xs + b, "largest difference"),
        (lambda xq, zp, wq, xs, ws, b: ((xq - zp) @ wq.T).float().T, "shape"),
    ],
)
def test_int_linear_names_the_mistake(wrong, message):
    line = verdict(exercises.int_linear, wrong)
    assert line.startswith("✗") and message in line


def test_a_crash_in_the_answer_is_named_not_raised():
    line = verdict(exercises.quantize, lambda *args: 1 / 0)
    assert line == "✗ your code raised ZeroDivisionError: division by zero"


@pytest.mark.parametrize(
    "checker, wrong, message",
    [
        (exercises.length_parameter, "classifier.dense.weight", "same shape"),
        (exercises.length_parameter, "position", "not a parameter name"),
        (exercises.checkpoint_keys, {"state_dict"}, "missing"),
        (exercises.checkpoint_keys, set(solutions.CHECKPOINT_KEYS) | {"optimizer_states"}, "not in the file"),
        (exercises.half_size, 0.49, "float32 size"),
        (exercises.half_size, 0.3, "too large"),
        (exercises.half_size, 0.12, "too small"),
    ],
)
def test_a_wrong_answer_to_a_question_is_rejected(checker, wrong, message):
    line = verdict(checker, wrong)
    assert line.startswith("✗") and message in line


def test_the_notebooks_quantizer_matches_pytorchs_engine():
    """int8.engine_quantize + int_linear reproduce a dynamic int8 Linear (notebook 03's claim, on random data)."""
    torch.manual_seed(0)
    layer = torch.ao.quantization.quantize_dynamic(
        torch.nn.Sequential(torch.nn.Linear(64, 32)), {torch.nn.Linear}, dtype=torch.qint8
    )[0]
    x = torch.randn(500, 64) * 2 + 0.3
    scale, zp = int8.affine_params(x.min().item(), x.max().item(), 0, 127)  # the x86 engine's 7-bit grid
    scale = torch.tensor(scale, dtype=torch.float32)
    w = layer.weight()
    by_hand = int8.int_linear(
        int8.engine_quantize(x, scale, zp, 0, 127), zp, w.int_repr(), scale, w.q_scale(), layer.bias()
    )
    assert (by_hand - layer(x)).abs().max() <= 1e-5


def layer_weights():
    torch.manual_seed(0)
    fp32 = torch.nn.Sequential(torch.nn.Linear(64, 32))
    int8_layer = torch.ao.quantization.quantize_dynamic(fp32, {torch.nn.Linear}, dtype=torch.qint8)[0]
    return int8_layer.weight(), fp32[0].weight.detach()


@pytest.mark.parametrize(
    "steps, first, message",
    [(0.5, "✓", "the tight bound"), (1.0, "✗", "a loose one"), (3.0, "✗", "a loose one"), (0.3, "✗", "further")],
)
def test_the_rounding_bound_is_half_a_step_and_a_whole_step_is_wrong(steps, first, message):
    """02's exercise 1: the model answer is half a step; a whole step, or anything larger, is not the tight bound."""
    int8_weight, float_weight = layer_weights()
    line = verdict(lambda p: exercises.rounding_bound(p, int8_weight, float_weight), steps * int8_weight.q_scale())
    assert line.startswith(first) and message in line


def test_the_checkpoint_question_reads_the_notebooks_checkpoint(tmp_path, monkeypatch):
    """01's exercise 2 checks the file CHECKPOINT names, and says whether it holds optimizer state."""
    from tone_helpers import notebook

    path = tmp_path / "with_optimizer.ckpt"
    torch.save({"state_dict": {}, "optimizer_states": [], "epoch": 3}, path)
    monkeypatch.setitem(notebook.USER_INPUTS, "checkpoint", path)
    line = verdict(exercises.checkpoint_keys, {"state_dict", "optimizer_states", "epoch"})
    assert line.startswith("✓") and "optimizer state included" in line
