"""Model architectures by name: our embedded ``tiny`` AST, the tutorial's AST base, or any local/hub AST.

A preset is built from a config alone, so nothing is downloaded. A local Hugging Face folder is read
from disk. Anything else is treated as a hub id, the real loading path, which needs a network.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from transformers import ASTConfig, ASTFeatureExtractor

from tone_helpers.labels import LABELS, NUM_LABELS

PRESETS = {
    # Small enough to train on a laptop CPU in about a minute and to commit (well under 2 MB).
    "tiny": dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=256),
    # Between the two: chosen from one timing run on random weights (AVX2-only CPU, 2 threads, batch 8: width 192
    # 1.22×, this one 1.41× float32), the first size past 1.4×; 05 measures it on yours. Trained; float16 (6.5 MB).
    "small": dict(hidden_size=256, num_hidden_layers=4, num_attention_heads=4, intermediate_size=1024),
    # ASTConfig's defaults are AST base, the architecture of MIT/ast-finetuned-audioset-10-10-0.4593
    # that the tutorial fine-tuned.
    "ast-base": {},
}


def is_preset(name_or_path: str) -> bool:
    return name_or_path in PRESETS


def ast_config(name_or_path: str = "tiny", num_labels: int = NUM_LABELS, max_length: int = 75) -> ASTConfig:
    """The config of a preset, a local folder, or a hub id, with our head size and input length."""
    labels = {i: LABELS.get(i, f"class {i}") for i in range(num_labels)}
    overrides = dict(
        max_length=max_length, num_labels=num_labels, id2label=labels, label2id={v: k for k, v in labels.items()}
    )
    if is_preset(name_or_path):
        return ASTConfig(**PRESETS[name_or_path], **overrides)
    return ASTConfig.from_pretrained(local_or_hub(name_or_path), **overrides)


def feature_extractor_for(name_or_path: str = "tiny", max_length: int = 75) -> ASTFeatureExtractor:
    """AST filter-bank features (128 mel bins, 10 ms hop); AudioSet normalisation for presets."""
    with warnings.catch_warnings():
        # Without torchaudio, transformers' numpy filter bank warns that one of 128 mel filters
        # is empty at 16 kHz; the extractor is still the one AST was trained with.
        warnings.simplefilter("ignore", UserWarning)
        if is_preset(name_or_path):
            return ASTFeatureExtractor(max_length=max_length)
        return ASTFeatureExtractor.from_pretrained(local_or_hub(name_or_path), max_length=max_length)


def local_or_hub(name_or_path: str) -> str:
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        return str(path)
    if path.exists() or name_or_path.startswith((".", "/", "~")):
        raise ValueError(f"{name_or_path}: not a Hugging Face model folder (expected a directory with config.json)")
    known = ", ".join(repr(p) for p in PRESETS)
    if "/" not in name_or_path:
        raise ValueError(f"{name_or_path!r}: unknown model; use a preset ({known}), a local folder, or a hub id")
    return name_or_path  # a hub id: transformers downloads it (needs network)
