"""Filter-bank features of the series' generated clips, kept on disk between notebooks.

Every notebook reads the same 1000 evaluation clips; the AST filter bank costs about 4 s per 1000 of them on 2
cores; decoding the clips (for the key) and loading the saved tensor, about 0.4 s. The key is a hash of the
decoded audio and of the extractor's settings, so regenerated clips or another extractor never meet a stale
entry. Only the generated data sets are kept (``data/generated``, git-ignored, like the cache): a reader's own
CSV is always read afresh, and their disk never fills with copies of their data.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from tone_helpers import paths


def key(settings: str, clips: list[np.ndarray]) -> str:
    """A hash of the extractor's settings and of every clip's samples (their length and type included)."""
    digest = hashlib.sha256(settings.encode())
    for clip in clips:
        digest.update(f"|{clip.dtype}|{clip.shape}|".encode())
        digest.update(np.ascontiguousarray(clip).tobytes())
    return digest.hexdigest()[:32]


def is_generated(csv_path: str | Path) -> bool:
    """Whether a CSV is one of the series' generated sets (the only ones cached)."""
    return Path(csv_path).resolve().is_relative_to(paths.GENERATED_DIR.resolve())


def features(
    settings: str, clips: list[np.ndarray], compute: Callable[[], torch.Tensor], folder: Path | None = None
) -> torch.Tensor:
    """``compute()``'s tensor, from the cache when the same clips met the same settings before."""
    folder = folder or paths.ARTIFACTS_DIR / "features"
    path = folder / f"{key(settings, clips)}.pt"
    if path.is_file():
        try:
            return torch.load(path, weights_only=True)
        except Exception:  # a file torn by a killed process: compute it again and replace it
            pass
    tensor = compute()
    folder.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.stem}.{os.getpid()}.partial")
    torch.save(tensor, partial)
    try:
        os.replace(partial, path)  # atomic: a process reading at the same time sees the old file or the whole new one
    except OSError:  # Windows refuses while another process has the file open: that process wrote the same tensor
        partial.unlink(missing_ok=True)
    return tensor
