"""Where the series keeps its files, resolved from the package so any working directory works.

The helper package is installed in editable mode from the repository, so the repository's
``data/`` folder sits two levels above this file. ``TONE_DATA_DIR`` overrides it.
"""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("TONE_DATA_DIR", REPO_ROOT / "data"))
GENERATED_DIR = DATA_DIR / "generated"  # git-ignored: synthetic audio, CSVs
ARTIFACTS_DIR = DATA_DIR / "artifacts"  # git-ignored: quantized models, exported files
EMBEDDED_CHECKPOINT = DATA_DIR / "tiny_ast_tones.ckpt"  # committed, small
EVAL_CSV = GENERATED_DIR / "test1000.csv"
TRAIN_CSV = GENERATED_DIR / "train.csv"
VAL_CSV = GENERATED_DIR / "val.csv"


def relative(path) -> str:
    """A path as shown to readers: relative to the repository when inside it."""
    path = Path(path).resolve()
    try:
        return path.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return str(path)
