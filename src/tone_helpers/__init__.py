"""Helpers for the tone quantization notebook series: data, models, measuring and plotting."""

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
