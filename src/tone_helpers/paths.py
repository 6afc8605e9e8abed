"""Where the series keeps its files, resolved from the package so any working directory works.

The helper package is installed in editable mode from the repository (``requirements.txt`` does it), so
the repository's ``data/`` folder sits two levels above this file. ``TONE_DATA_DIR`` overrides it; a copy
of the package installed anywhere else has no ``data/`` beside it, and says so instead of guessing.
"""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
IN_CHECKOUT = (REPO_ROOT / "pyproject.toml").is_file() and (REPO_ROOT / "notebooks").is_dir()
if not IN_CHECKOUT and not os.environ.get("TONE_DATA_DIR"):
    raise ImportError(
        f"tone_helpers is installed outside its repository ({Path(__file__).parent}), so it cannot find the "
        "series' data/ folder. Install it from a clone with `pip install -r requirements.txt` (an editable "
        "install), or set TONE_DATA_DIR to a folder that holds tiny_ast_tones.ckpt."
    )
DATA_DIR = Path(os.environ.get("TONE_DATA_DIR") or REPO_ROOT / "data")
GENERATED_DIR = DATA_DIR / "generated"  # git-ignored: synthetic audio, CSVs
ARTIFACTS_DIR = DATA_DIR / "artifacts"  # git-ignored: quantized models, exported files
EMBEDDED_CHECKPOINT = DATA_DIR / "tiny_ast_tones.ckpt"  # committed, small
SMALL_CHECKPOINT = DATA_DIR / "small_ast_tones.ckpt"  # committed, weights stored in float16 (6.5 MB)
EVAL_CSV = GENERATED_DIR / "test1000.csv"
HARD_CSV = GENERATED_DIR / "hard1000.csv"  # harder clips, in the tutorial's accuracy regime (synth.HARD)
TRAIN_CSV = GENERATED_DIR / "train.csv"
VAL_CSV = GENERATED_DIR / "val.csv"


def relative(path) -> str:
    """A path as shown to readers: relative to the repository when inside it."""
    path = Path(path).resolve()
    try:
        return path.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return str(path)
