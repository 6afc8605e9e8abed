"""The data module on every audio format it promises, and on every kind of bad input."""

import numpy as np
import pytest
import soundfile as sf
import torch

from tone_helpers import ToneDataError, ToneDataModule, read_audio

RATE = 16_000


def tone(seconds=0.5, rate=RATE, hz=220.0):
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def write_csv(folder, rows, header="path,label"):
    path = folder / "meta.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


@pytest.mark.parametrize(
    "name, rate, channels, subtype",
    [
        ("pcm16.wav", 16_000, 1, "PCM_16"),
        ("pcm24.wav", 16_000, 1, "PCM_24"),
        ("float.wav", 16_000, 1, "FLOAT"),
        ("stereo.wav", 16_000, 2, "PCM_16"),
        ("rate44k.wav", 44_100, 1, "PCM_16"),
        ("rate8k.wav", 8_000, 1, "PCM_16"),
        ("pcm16.flac", 16_000, 1, "PCM_16"),
        ("stereo48k.flac", 48_000, 2, "PCM_24"),
    ],
)
def test_reads_any_format_as_16k_mono(tmp_path, name, rate, channels, subtype):
    mono = tone(rate=rate)
    data = np.stack([mono] * channels, axis=1) if channels > 1 else mono
    sf.write(tmp_path / name, data, rate, subtype=subtype)
    audio = read_audio(tmp_path / name)
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert len(audio) == pytest.approx(0.5 * RATE, abs=2)
    reference = tone()
    inner = slice(200, -200)  # resampling filters ring at the edges
    assert np.abs(audio[inner] - reference[inner]).max() < 2e-3


def test_stereo_is_averaged(tmp_path):
    left, right = tone(hz=220), tone(hz=330)
    sf.write(tmp_path / "lr.wav", np.stack([left, right], axis=1), RATE, subtype="FLOAT")
    np.testing.assert_allclose(read_audio(tmp_path / "lr.wav"), (left + right) / 2, atol=1e-6)


def test_silence_is_valid_input(tmp_path):
    sf.write(tmp_path / "quiet.wav", np.zeros(RATE // 2, np.float32), RATE)
    meta = write_csv(tmp_path, ["quiet.wav,4"])
    item = ToneDataModule().get_dataset(meta)[0]
    assert torch.isfinite(item["input_values"]).all()
    assert item["input_values"].shape == (75, 128)


def test_batches_have_the_tutorial_shapes(tmp_path):
    for i in range(5):
        sf.write(tmp_path / f"c{i}.wav", tone(hz=150 + 30 * i), RATE)
    meta = write_csv(tmp_path, [f"c{i}.wav,{i}" for i in range(5)])
    dm = ToneDataModule(eval_metadata=meta, batch_size=4)
    dm.setup("validate")
    batch = next(iter(dm.val_dataloader()))
    assert batch["input_values"].shape == (4, 75, 128)
    assert batch["labels"].tolist() == [0, 1, 2, 3]


def test_limit_reads_only_the_first_rows(tmp_path):
    for i in range(3):
        sf.write(tmp_path / f"c{i}.wav", tone(hz=150 + 30 * i), RATE)
    meta = write_csv(tmp_path, [f"c{i}.wav,{i}" for i in range(3)])
    first_two = ToneDataModule().get_dataset(meta, limit=2)
    assert len(first_two) == 2 and first_two.labels.tolist() == [0, 1]
    torch.testing.assert_close(first_two[1]["input_values"], ToneDataModule().get_dataset(meta)[1]["input_values"])


def test_streaming_gives_the_same_features(tmp_path):
    for i in range(3):
        sf.write(tmp_path / f"c{i}.wav", tone(hz=150 + 30 * i), RATE)
    meta = write_csv(tmp_path, [f"c{i}.wav,{i}" for i in range(3)])
    dm = ToneDataModule()
    eager = [x["input_values"] for x in dm.get_dataset(meta)]
    lazy = [x["input_values"] for x in dm.get_dataset(meta, streaming=True)]
    assert len(lazy) == len(eager) == 3
    for a, b in zip(eager, lazy, strict=True):
        torch.testing.assert_close(a, b)


def test_streaming_with_workers_yields_every_clip_once(tmp_path):
    for i in range(5):
        sf.write(tmp_path / f"c{i}.wav", tone(hz=150 + 30 * i), RATE)
    meta = write_csv(tmp_path, [f"c{i}.wav,{i % 5}" for i in range(5)])
    loader = torch.utils.data.DataLoader(
        ToneDataModule().get_dataset(meta, streaming=True), batch_size=2, num_workers=2
    )
    labels = sorted(label for batch in loader for label in batch["labels"].tolist())
    assert labels == [0, 1, 2, 3, 4]


def test_a_csv_with_a_byte_order_mark_is_read(tmp_path):
    sf.write(tmp_path / "a.wav", tone(), RATE)
    meta = tmp_path / "excel.csv"
    meta.write_text("path,label\na.wav,2\n", encoding="utf-8-sig")
    assert get(meta).labels.tolist() == [2]


def test_clips_longer_than_the_model_input_are_reported_once(tmp_path):
    from tone_helpers.data import ToneDataWarning

    for i, seconds in enumerate([0.5, 2.0, 1.0]):
        sf.write(tmp_path / f"c{i}.wav", tone(seconds), RATE)
    meta = write_csv(tmp_path, [f"c{i}.wav,0" for i in range(3)])
    with pytest.warns(
        ToneDataWarning, match=r"2 of 3 clips are longer than max_length=75 frames \(0\.77 s\).*1\.23 s cut"
    ):
        get(meta)


def test_clips_within_the_model_input_raise_no_warning(tmp_path):
    import warnings

    sf.write(tmp_path / "a.wav", tone(0.75), RATE)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        get(write_csv(tmp_path, ["a.wav,0"]))


# ---- bad input: each error names the culprit -------------------------------------------------


def get(meta):
    return ToneDataModule().get_dataset(meta)


def test_missing_csv(tmp_path):
    with pytest.raises(ToneDataError, match=r"nope\.csv: metadata CSV not found"):
        get(tmp_path / "nope.csv")


@pytest.mark.parametrize(
    "content, message", [("", "empty file, not even a header row"), ("path,label\n", "no data rows")]
)
def test_empty_csv(tmp_path, content, message):
    (tmp_path / "meta.csv").write_text(content)
    with pytest.raises(ToneDataError, match=rf"meta\.csv: {message}"):
        get(tmp_path / "meta.csv")


def test_missing_column_is_named(tmp_path):
    meta = write_csv(tmp_path, ["a.wav,1"], header="file,label")
    with pytest.raises(ToneDataError, match=r"missing column\(s\) \['path'\]; found \['file', 'label'\]"):
        get(meta)


@pytest.mark.parametrize(
    "label, message",
    [
        ("5", "label 5 is outside 0-4"),
        ("-1", "label -1 is outside 0-4"),
        ("tone1", "label 'tone1' is not an integer"),
        ("2.5", "label '2.5' is not an integer"),
        ("", "label '' is not an integer"),
    ],
)
def test_bad_label_names_row_and_value(tmp_path, label, message):
    sf.write(tmp_path / "a.wav", tone(), RATE)
    meta = write_csv(tmp_path, ["a.wav,1", f"a.wav,{label}"])
    with pytest.raises(ToneDataError, match=rf"meta\.csv, line 3: {message}"):
        get(meta)


def test_a_folder_in_the_csv_is_called_a_folder(tmp_path):
    (tmp_path / "clips").mkdir()
    with pytest.raises(ToneDataError, match=r"clips: is a folder, not an audio file \(listed in .*meta.csv\)"):
        get(write_csv(tmp_path, ["clips,1"]))


def test_missing_audio_names_file_and_csv(tmp_path):
    meta = write_csv(tmp_path, ["gone.wav,1"])
    with pytest.raises(ToneDataError, match=r"gone\.wav: audio file not found \(listed in .*meta\.csv\)"):
        get(meta)


def test_unreadable_audio(tmp_path):
    (tmp_path / "text.wav").write_text("this is not audio")
    meta = write_csv(tmp_path, ["text.wav,0"])
    with pytest.raises(ToneDataError, match=r"text\.wav: cannot decode audio"):
        get(meta)


def test_zero_byte_file(tmp_path):
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(ToneDataError, match=r"empty\.wav: audio file is empty \(0 bytes\)"):
        read_audio(tmp_path / "empty.wav")


def test_zero_length_audio(tmp_path):
    sf.write(tmp_path / "none.wav", np.zeros(0, np.float32), RATE)
    with pytest.raises(ToneDataError, match=r"none\.wav: audio file has no samples"):
        read_audio(tmp_path / "none.wav")


# libsndfile tells a short WAV from its header; a cut FLAC stream fails to decode ("lost sync")
@pytest.mark.parametrize(
    "suffix, message",
    [("wav", r"audio file is truncated \(header declares 32000 bytes"), ("flac", r"cannot decode audio \(.*lost sync")],
)
def test_truncated_audio(tmp_path, suffix, message):
    full = tmp_path / f"full.{suffix}"
    sf.write(full, np.random.default_rng(0).normal(0, 0.1, RATE).astype(np.float32), RATE)
    cut = tmp_path / f"cut.{suffix}"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    with pytest.raises(ToneDataError, match=rf"cut\.{suffix}: {message}"):
        read_audio(cut)
