"""Helpers for the tone quantization notebook series: data, models, measuring and plotting."""

import logging

# With torchao installed (Intel Neural Compressor needs it), importing transformers imports torchao, which
# logs a "Failed to load ..._C_....so" line per GPU-only kernel on a CPU machine, and torch logs a pytree
# notice for torchao's enums. Both are harmless; hide them before transformers is first imported.
logging.getLogger("torchao").setLevel(logging.ERROR)
logging.getLogger("torch.utils._pytree").setLevel(logging.ERROR)

from tone_helpers.audio import ToneDataError, read_audio
from tone_helpers.data import ToneDataModule, read_metadata
from tone_helpers.model import LightningToneClassifier, build_model
from tone_helpers.presets import LABELS, PRESETS, ast_config, feature_extractor_for

__version__ = "0.1.0"

__all__ = [
    "LABELS",
    "PRESETS",
    "LightningToneClassifier",
    "ToneDataError",
    "ToneDataModule",
    "ast_config",
    "build_model",
    "feature_extractor_for",
    "read_audio",
    "read_metadata",
]
