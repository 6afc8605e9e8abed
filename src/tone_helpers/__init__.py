"""Helpers for the tone quantization notebook series: data, models, measuring and plotting.

The names below are imported on first use, not with the package: ``tone-data`` (``tone_helpers.synth``)
needs neither Lightning nor transformers, and should not wait seconds for them.
"""

import importlib
import logging

# With torchao installed (Intel Neural Compressor needs it), importing transformers imports torchao, which
# logs a "Failed to load ..._C_....so" line per GPU-only kernel on a CPU machine, and torch logs a pytree
# notice for torchao's enums. Both are harmless; hide them before transformers is first imported.
logging.getLogger("torchao").setLevel(logging.ERROR)
logging.getLogger("torch.utils._pytree").setLevel(logging.ERROR)

__version__ = "0.1.0"

_HOME = {
    "ToneDataError": "audio",
    "read_audio": "audio",
    "ToneDataModule": "data",
    "read_metadata": "data",
    "LightningToneClassifier": "model",
    "build_model": "model",
    "LABELS": "labels",
    "NUM_LABELS": "labels",
    "PRESETS": "presets",
    "ast_config": "presets",
    "feature_extractor_for": "presets",
}

__all__ = sorted(_HOME)


def __getattr__(name: str):
    if name in _HOME:
        return getattr(importlib.import_module(f"tone_helpers.{_HOME[name]}"), name)
    try:  # a module of the package, e.g. tone_helpers.paths
        return importlib.import_module(f"tone_helpers.{name}")
    except ModuleNotFoundError as error:
        if error.name != f"tone_helpers.{name}":
            raise  # the module exists, but something it imports does not
        raise AttributeError(f"module 'tone_helpers' has no attribute {name!r}") from None


def __dir__():
    return sorted(list(globals()) + __all__)
