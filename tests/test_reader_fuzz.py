"""The readers under fuzzing: any mutation of a good WAV or CSV is read into finite features, or refused with a
``ToneDataError`` that names the file — never a library's own exception, never NaN features.

Hypothesis generates the inputs (whole header fields set to edge or random values, byte mutations, truncations,
appended bytes; float samples of any value; CSVs of random cells) and shrinks a failure to its simplest form.
The classes of input it found, each now refused by name:

- a clip shorter than one 25 ms analysis window after resampling to 16 kHz (a small "data size" field, a huge
  sample rate, many channels, or simply a short file): transformers' filter bank raised a bare ``ValueError``
  ("negative dimensions are not allowed", "Input waveform must have only one dimension");
- NaN or infinite samples in a float WAV: NaN features and no error, a silent wrong answer.

Sample rates outside 1–768 kHz are refused too; that one was reasoned, not found (a 1 Hz header would make the
resampler allocate gigabytes for a long file).
"""

import csv
import re
import struct

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tone_helpers import ToneDataError, ToneDataModule, paths
from tone_helpers.synth import ensure_generated

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def good_wav() -> bytes:
    ensure_generated()
    with paths.EVAL_CSV.open() as f:
        first = next(csv.DictReader(f))["path"]
    return (paths.EVAL_CSV.parent / first).read_bytes()


@pytest.fixture(scope="module")
def datamodule():
    return ToneDataModule()


def read_or_refuse(datamodule, folder, wav: bytes, csv_text: str = "path,label\nclip.wav,1\n"):
    """Read a one-row CSV; a refusal must be a ToneDataError that names a file; a read must give finite features."""
    (folder / "clip.wav").write_bytes(wav)
    (folder / "clips.csv").write_text(csv_text, encoding="utf-8")
    try:
        dataset = datamodule.get_dataset(folder / "clips.csv")
    except ToneDataError as error:
        assert "clip.wav" in str(error) or "clips.csv" in str(error), str(error)
        return None
    assert torch.isfinite(dataset.features).all(), "features with NaN or infinity, and no error"
    return dataset


# The fields of a canonical 44-byte WAV header (our clips: PCM, mono, 16 kHz, 16 bit): offset and struct format.
FIELDS = {
    "format": (20, "<H"),  # 1 PCM, 3 float
    "channels": (22, "<H"),
    "sample rate": (24, "<I"),
    "byte rate": (28, "<I"),
    "block align": (32, "<H"),
    "bits per sample": (34, "<H"),
    "data size": (40, "<I"),
}
SMALL = st.sampled_from([0, 1, 2, 3, 4, 8, 16, 24, 32, 64, 100, 400, 800, 8000, 44100, 96000, 2**31, 2**32 - 1])


def field_value(fmt: str):
    largest = 2 ** (8 * struct.calcsize(fmt)) - 1
    return st.one_of(SMALL.filter(lambda v: v <= largest), st.integers(0, largest))


def set_fields(data: bytearray, fields: dict) -> None:
    for name, value in fields.items():
        offset, fmt = FIELDS[name]
        struct.pack_into(fmt, data, offset, value)


def mutate(data: bytes, fields, changes, cut, extra) -> bytes:
    mutated = bytearray(data)
    set_fields(mutated, fields)
    for position, value in changes:
        mutated[position % len(mutated)] = value
    if cut is not None:
        mutated = mutated[:cut]
    return bytes(mutated) + extra


HEADER_FIELDS = st.dictionaries(st.sampled_from(sorted(FIELDS)), st.just(None), max_size=3).flatmap(
    lambda chosen: st.fixed_dictionaries({name: field_value(FIELDS[name][1]) for name in chosen})
)
CHANGES = st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=4)


@SETTINGS
@given(
    fields=HEADER_FIELDS,
    changes=CHANGES,
    cut=st.one_of(st.none(), st.integers(0, 2000)),
    extra=st.binary(max_size=32),
)
def test_a_mutated_wav_is_read_or_refused_by_name(datamodule, good_wav, tmp_path_factory, fields, changes, cut, extra):
    read_or_refuse(datamodule, tmp_path_factory.mktemp("wav"), mutate(good_wav, fields, changes, cut, extra))


@SETTINGS
@given(samples=st.lists(st.floats(width=32), min_size=0, max_size=2000), rate=st.sampled_from([8000, 16000, 48000]))
def test_any_float_samples_are_read_or_refused_by_name(datamodule, tmp_path_factory, samples, rate):
    """Float WAVs can hold NaN and infinity, which libsndfile decodes as they are."""
    import io

    import numpy as np
    import soundfile as sf

    buffer = io.BytesIO()
    sf.write(buffer, np.array(samples, dtype=np.float32), rate, format="WAV", subtype="FLOAT")
    read_or_refuse(datamodule, tmp_path_factory.mktemp("float"), buffer.getvalue())


CELL = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@SETTINGS
@given(header=st.lists(CELL, min_size=0, max_size=3), row=st.lists(CELL, min_size=0, max_size=3))
def test_a_broken_csv_is_refused_by_name(datamodule, good_wav, tmp_path_factory, header, row):
    text = "\n".join([",".join(header), ",".join(row)]) + "\n"
    read_or_refuse(datamodule, tmp_path_factory.mktemp("csv"), good_wav, text)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"sample rate": 1, "byte rate": 2}, "sample rate 1 Hz is not an audio rate"),
        ({"data size": 200}, "audio is too short (100 samples at 16 kHz, 6.2 ms)"),
    ],
)
def test_the_classes_found_are_named(datamodule, good_wav, tmp_path, fields, message):
    data = bytearray(good_wav)
    set_fields(data, fields)
    (tmp_path / "clip.wav").write_bytes(bytes(data[: 44 + fields.get("data size", len(data))]))
    (tmp_path / "clips.csv").write_text("path,label\nclip.wav,1\n", encoding="utf-8")
    with pytest.raises(ToneDataError, match=re.escape(message)):
        datamodule.get_dataset(tmp_path / "clips.csv")
