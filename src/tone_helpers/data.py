"""``ToneDataModule``: the tutorial's data module, reading ``path,label`` CSVs of real audio files.

Relative audio paths in a CSV are resolved from the CSV's own folder, so a data set can be moved.
"""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import numpy as np
import pytorch_lightning as pl
import torch
import transformers
from torch.utils.data import DataLoader, Dataset, IterableDataset

from tone_helpers import feature_cache
from tone_helpers.audio import TARGET_RATE, ToneDataError, read_audio
from tone_helpers.labels import NUM_LABELS
from tone_helpers.presets import feature_extractor_for

LABEL_COLUMN = "label"


def read_metadata(csv_path: str | Path, audio_column: str = "path") -> list[tuple[Path, int]]:
    """Rows of ``(audio path, label)``; every problem is reported with the file and row number."""
    csv_path = Path(csv_path)
    if not csv_path.is_file():
        raise ToneDataError(f"{csv_path}: metadata CSV not found")
    # utf-8-sig: spreadsheet programs often save CSVs with a byte-order mark before the first column name
    with csv_path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        columns = reader.fieldnames
        if columns is None:
            raise ToneDataError(f"{csv_path}: empty file, not even a header row (expected: path,label)")
        missing = [c for c in (audio_column, LABEL_COLUMN) if c not in columns]
        if missing:
            raise ToneDataError(f"{csv_path}: missing column(s) {missing}; found {columns}")
        rows = [_parse_row(csv_path, line, row, audio_column) for line, row in enumerate(reader, start=2)]
    if not rows:
        raise ToneDataError(f"{csv_path}: no data rows (only a header, or an empty file)")
    return rows


def _parse_row(csv_path: Path, line: int, row: dict, audio_column: str) -> tuple[Path, int]:
    where = f"{csv_path}, line {line}"
    raw_label, raw_path = (row.get(LABEL_COLUMN) or "").strip(), (row.get(audio_column) or "").strip()
    if not raw_path:
        raise ToneDataError(f"{where}: empty {audio_column!r}")
    try:
        label = int(raw_label)
    except ValueError:
        raise ToneDataError(f"{where}: label {raw_label!r} is not an integer 0-{NUM_LABELS - 1}") from None
    if not 0 <= label < NUM_LABELS:
        raise ToneDataError(f"{where}: label {label} is outside 0-{NUM_LABELS - 1}")
    path = Path(raw_path)
    return (path if path.is_absolute() else csv_path.parent / path), label


# The AST filter bank: 25 ms windows every 10 ms at 16 kHz, no padding (Kaldi's snip_edges).
WINDOW, HOP = 400, 160


def read_clip(path: Path, csv_path: Path) -> np.ndarray:
    """``read_audio`` with the CSV named too, so a bad file can be found from either end."""
    try:
        clip = read_audio(path)
        if len(clip) < WINDOW:  # the filter bank's first frame needs one whole window
            ms = 1000 * len(clip) / TARGET_RATE
            raise ToneDataError(
                f"{path}: audio is too short ({len(clip)} samples at 16 kHz, {ms:.1f} ms); "
                f"the model's features need at least {1000 * WINDOW / TARGET_RATE:.0f} ms"
            )
        return clip
    except ToneDataError as exc:
        raise ToneDataError(f"{exc} (listed in {csv_path})") from None


class ToneDataWarning(UserWarning):
    """Input that is used, but not as a reader may expect (e.g. clips cut to the model's length)."""


def frames_in(samples: int) -> int:
    return 1 + (samples - WINDOW) // HOP if samples >= WINDOW else 1


def warn_if_cut(lengths: list[int], max_length: int, metadata) -> None:
    """Say once per data set how many clips are longer than the model's input, and how much is lost."""
    keep = (WINDOW + (max_length - 1) * HOP) / TARGET_RATE
    long = [n / TARGET_RATE for n in lengths if frames_in(n) > max_length]
    if long:
        warnings.warn(
            f"{metadata}: {len(long)} of {len(lengths)} clips are longer than max_length={max_length} "
            f"frames ({keep:.2f} s); the model sees only their first {keep:.2f} s (up to "
            f"{max(long) - keep:.2f} s cut from the longest clip)",
            ToneDataWarning,
            stacklevel=3,
        )


class FeatureDataset(Dataset):
    """Features computed once up front: fast epochs, and bad files fail before training starts."""

    def __init__(self, features: torch.Tensor, labels: torch.Tensor):
        self.features, self.labels = features, labels

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> dict:
        return {"input_values": self.features[i], "labels": self.labels[i]}


class StreamingDataset(IterableDataset):
    """Features computed as clips are read: constant memory for data sets too large to hold."""

    def __init__(self, rows, csv_path, extractor):
        self.rows, self.csv_path, self.extractor = rows, csv_path, extractor

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        # With DataLoader workers, each worker reads its own share of the rows: every clip exactly once.
        worker = torch.utils.data.get_worker_info()
        rows = self.rows if worker is None else self.rows[worker.id :: worker.num_workers]
        for path, label in rows:
            clip = read_clip(path, self.csv_path)
            if frames_in(len(clip)) > self.extractor.max_length:
                warn_if_cut([len(clip)], self.extractor.max_length, self.csv_path)  # shown once: warnings' default
            features = self.extractor(clip, sampling_rate=TARGET_RATE, return_tensors="pt")
            yield {"input_values": features["input_values"][0], "labels": torch.tensor(label)}


class ToneDataModule(pl.LightningDataModule):
    """CSV metadata + audio files -> batches of AST filter-bank features and labels."""

    def __init__(
        self,
        train_metadata: str | Path = "",
        eval_metadata: str | Path = "",
        model_name_or_path: str = "tiny",
        audio_column_name: str = "path",
        max_length: int = 75,
        batch_size: int = 32,
        seed: int = 42,
        num_workers: int = 0,
    ):
        super().__init__()
        self.train_metadata, self.eval_metadata = train_metadata, eval_metadata
        self.model_name_or_path, self.audio_column_name = model_name_or_path, audio_column_name
        self.max_length, self.batch_size, self.seed, self.num_workers = max_length, batch_size, seed, num_workers
        self.feature_extractor = feature_extractor_for(model_name_or_path, max_length)
        self.train_dataset = self.val_dataset = None

    def get_dataset(self, metadata: str | Path, streaming: bool = False, limit: int | None = None) -> Dataset:
        """All clips of one CSV (or its first ``limit``) as features; ``streaming=True`` reads them lazily instead."""
        rows = read_metadata(metadata, self.audio_column_name)[:limit]
        if streaming:
            return StreamingDataset(rows, Path(metadata), self.feature_extractor)
        clips = [read_clip(path, Path(metadata)) for path, _ in rows]
        warn_if_cut([len(c) for c in clips], self.max_length, metadata)
        if feature_cache.is_generated(metadata):
            settings = f"{self.feature_extractor.to_json_string()} transformers {transformers.__version__}"
            features = feature_cache.features(settings, clips, lambda: self.extract(clips))
        else:
            features = self.extract(clips)
        labels = torch.tensor([label for _, label in rows])
        return FeatureDataset(features, labels)

    def extract(self, clips: list[np.ndarray]) -> torch.Tensor:
        """The AST filter-bank features of decoded clips, one row per clip."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # the extractor's mel-filter notice
            return self.feature_extractor(clips, sampling_rate=TARGET_RATE, return_tensors="pt")["input_values"]

    def setup(self, stage: str | None = None) -> None:
        if stage in (None, "fit") and self.train_metadata and self.train_dataset is None:
            self.train_dataset = self.get_dataset(self.train_metadata)
        if self.eval_metadata and self.val_dataset is None:
            self.val_dataset = self.get_dataset(self.eval_metadata)

    def train_dataloader(self) -> DataLoader:
        generator = torch.Generator().manual_seed(self.seed)
        return DataLoader(
            self.train_dataset, self.batch_size, shuffle=True, generator=generator, num_workers=self.num_workers
        )

    def val_dataloader(self) -> DataLoader:
        return DataLoader(self.val_dataset, self.batch_size, num_workers=self.num_workers)
