import hashlib

import numpy as np
import pytest

from tone_helpers import read_audio, read_metadata, synth


def digest(folder):
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


SMALL = {"train": 10, "val": 5, "test": 15}


def test_same_seed_gives_byte_identical_files(tmp_path):
    synth.generate(tmp_path / "a", SMALL, seed=3)
    synth.generate(tmp_path / "b", SMALL, seed=3)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")


def test_another_seed_gives_other_audio(tmp_path):
    synth.generate(tmp_path / "a", SMALL, seed=3)
    synth.generate(tmp_path / "b", SMALL, seed=4)
    a, b = digest(tmp_path / "a"), digest(tmp_path / "b")
    wavs = [k for k in a if k.endswith(".wav")]
    assert all(a[k] != b[k] for k in wavs)


def test_splits_are_balanced_and_in_tutorial_format(tmp_path):
    csvs = synth.generate(tmp_path, SMALL, seed=0)
    assert csvs["test"].name == "test1000.csv"
    assert csvs["test"].read_text().splitlines()[0] == "path,label"
    for split, size in SMALL.items():
        labels = [label for _, label in read_metadata(csvs[split])]
        assert len(labels) == size
        assert np.bincount(labels, minlength=5).tolist() == [size // 5] * 5


def test_clips_are_16k_mono_and_not_clipped(tmp_path):
    csvs = synth.generate(tmp_path, SMALL, seed=0)
    for path, _ in read_metadata(csvs["val"]):
        audio = read_audio(path)
        assert audio.shape == (12_000,)
        assert 1e-3 < np.abs(audio).max() < 1.0


@pytest.mark.parametrize("label", range(5))
def test_pitch_contour_follows_the_tone_letters(label):
    """Tone 1 stays level, 2 rises, 3 dips then rises, 4 falls: checked on the f0 track itself."""
    rng = np.random.default_rng(0)
    voice = synth.draw_voice(label, rng)
    f0 = synth.pitch_track(label, voice, 1000, np.random.default_rng(1))
    start, middle, end = np.log2(f0[[0, 550, -1]])
    semitones = 12 * np.array([middle - start, end - middle, end - start])
    expected = {
        0: abs(semitones[2]) < 1.5,
        1: semitones[2] > 3,
        2: semitones[0] < -1 and semitones[1] > 3,
        3: semitones[2] < -5,
        4: abs(semitones[2]) < 2,
    }
    assert expected[label], semitones


def test_refuses_to_write_into_a_folder_it_did_not_make(tmp_path):
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match="not made by"):
        synth.generate(tmp_path, SMALL)
    assert (tmp_path / "mine.txt").read_text() == "keep me"
