"""The figures the model answers quote, computed: every one is a fact (sizes, weight errors), the same on every CPU.

    python solutions/answers.py        # writes solutions/answers.json, which tests/test_typed_figures.py reads

``tests/test_solutions_answers.py`` computes them again and compares, so a figure in ``solutions/README.md`` can
only say what this code finds. Keys end in their unit: ``_mb`` (the tutorial's MB, bytes / 2**20), ``_pct``.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

from tone_helpers import LightningToneClassifier, build_model, paths
from tone_helpers.measure import model_size_mb, parameter_breakdown, weight_errors

HERE = Path(__file__).parent


def tiny() -> torch.nn.Module:
    return LightningToneClassifier.load_from_checkpoint(
        paths.EMBEDDED_CHECKPOINT, map_location="cpu", weights_only=True
    ).model.eval()


def linear_share_pct(model: torch.nn.Module) -> float:
    counts = parameter_breakdown(model)
    return round(100 * counts["Linear weights"] / sum(counts.values()), 1)


def dynamic(model: torch.nn.Module, qconfig=None, dtype=torch.qint8) -> torch.nn.Module:
    spec = {torch.nn.Linear: qconfig} if qconfig is not None else {torch.nn.Linear}
    return torch.ao.quantization.quantize_dynamic(model, spec, dtype=dtype)


def errors_pct(model: torch.nn.Module, quantized: torch.nn.Module) -> dict[str, float]:
    return {row["layer"]: round(100 * row["relative error"], 2) for row in weight_errors(model, quantized)}


def answers() -> dict[str, float]:
    torch.manual_seed(0)
    found: dict[str, float] = {}
    # 01 · Exercise 1 and 04 · Exercise 2: AST base at max_length 1024 against 75
    base_75, base_1024 = (build_model("ast-base", num_labels=5, max_length=n).eval() for n in (75, 1024))
    found["ast_base_75_linear_share_pct"] = linear_share_pct(base_75)
    found["ast_base_1024_linear_share_pct"] = linear_share_pct(base_1024)
    found["ast_base_75_mb"] = round(model_size_mb(base_75), 2)
    found["ast_base_1024_mb"] = round(model_size_mb(base_1024), 2)
    found["ast_base_1024_growth_mb"] = round(found["ast_base_1024_mb"] - found["ast_base_75_mb"], 1)
    # 02 · Exercise 2: float16 dynamic quantization: no shared scale, and a file that does not shrink
    model = tiny()
    fp16 = dynamic(model, dtype=torch.float16)
    found["tiny_float16_worst_error_pct"] = max(errors_pct(model, fp16).values())
    found["tiny_float16_dynamic_mb"] = round(model_size_mb(fp16), 3)
    found["tiny_mb"] = round(model_size_mb(model), 3)
    found["ast_base_float16_dynamic_mb"] = round(model_size_mb(dynamic(base_75, dtype=torch.float16)), 2)
    # 02 · Exercise 4: per-channel weight scales
    per_tensor = errors_pct(model, dynamic(model))
    per_channel = errors_pct(model, dynamic(model, torch.ao.quantization.per_channel_dynamic_qconfig))
    found["tiny_per_tensor_worst_error_pct"] = max(per_tensor.values())
    found["tiny_per_tensor_o_proj_error_pct"] = per_tensor["audio_spectrogram_transformer.layers.0.attention.o_proj"]
    found["tiny_per_channel_o_proj_error_pct"] = per_channel["audio_spectrogram_transformer.layers.0.attention.o_proj"]
    found["tiny_per_channel_worst_error_pct"] = max(per_channel.values())
    found["tiny_per_tensor_fc2_error_pct"] = per_tensor["audio_spectrogram_transformer.layers.0.mlp.fc2"]
    # 04 · Exercise 3: model.half()
    found["tiny_half_mb"] = round(model_size_mb(tiny().half()), 3)
    found["ast_base_half_mb"] = round(model_size_mb(base_75.half()), 2)
    return found


if __name__ == "__main__":
    (HERE / "answers.json").write_text(json.dumps(answers(), indent=2) + "\n", encoding="utf-8")
    print((HERE / "answers.json").read_text())
