"""The feature cache returns exactly what the extractor computes, and only for the series' generated sets."""

import numpy as np
import torch

from tone_helpers import ToneDataModule, feature_cache, paths
from tone_helpers.data import read_clip, read_metadata
from tone_helpers.synth import ensure_generated


def test_a_second_call_loads_what_the_first_computed(tmp_path):
    clips, calls = [np.arange(5, dtype=np.float32)], []

    def compute():
        calls.append(1)
        return torch.randn(1, 3)

    first = feature_cache.features("settings", clips, compute, tmp_path)
    assert torch.equal(feature_cache.features("settings", clips, compute, tmp_path), first)
    assert len(calls) == 1


def test_other_samples_or_settings_are_other_entries():
    clip = np.zeros(4, dtype=np.float32)
    keys = {
        feature_cache.key("a", [clip]),
        feature_cache.key("b", [clip]),
        feature_cache.key("a", [clip + 1e-7]),
        feature_cache.key("a", [clip[:3], clip[3:]]),  # same samples, split differently
        feature_cache.key("a", [clip.astype(np.float64)]),
    }
    assert len(keys) == 5


def test_a_torn_file_is_computed_again(tmp_path):
    clips = [np.ones(3, dtype=np.float32)]
    (tmp_path / f"{feature_cache.key('s', clips)}.pt").write_bytes(b"torn")
    assert torch.equal(feature_cache.features("s", clips, lambda: torch.ones(2), tmp_path), torch.ones(2))


def test_cached_features_equal_the_extractors(tmp_path, monkeypatch):
    ensure_generated()
    monkeypatch.setattr(paths, "ARTIFACTS_DIR", tmp_path)  # a cache of its own, empty
    generated_eval_csv, module = paths.EVAL_CSV, ToneDataModule(model_name_or_path="tiny")
    dataset = module.get_dataset(generated_eval_csv, limit=50)
    clips = [read_clip(path, generated_eval_csv) for path, _ in read_metadata(generated_eval_csv)[:50]]
    assert feature_cache.is_generated(generated_eval_csv)
    assert torch.equal(module.get_dataset(generated_eval_csv, limit=50).features, dataset.features)
    assert torch.equal(module.extract(clips), dataset.features)
    assert len(list((tmp_path / "features").glob("*.pt"))) == 1


def test_a_readers_csv_is_not_cached(tmp_path):
    assert not feature_cache.is_generated(tmp_path / "mine.csv")
    assert feature_cache.is_generated(paths.GENERATED_DIR / "test1000.csv")
