"""Synthetic Mandarin-tone syllables: a deterministic stand-in for recorded speech.

Each clip is a vowel sung on a pitch contour taken from Chao's tone letters
(1 = lowest, 5 = highest in the speaker's range). The label follows the tutorial:
0-3 are tones 1-4, 4 is the neutral tone.

Run ``python -m tone_helpers.synth`` (or ``tone-data``) to write the WAV files
and the ``path,label`` CSVs into ``data/generated/``.
"""

from __future__ import annotations

import argparse
import csv
import json
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.signal import lfilter

from tone_helpers.audio import TARGET_RATE

SAMPLE_RATE = TARGET_RATE  # the rate the model's features are made at: no resampling

# Chao tone letters as (time, level) points; the contour is interpolated between them.
CONTOURS = {
    0: ((0.0, 5.0), (1.0, 5.0)),  # 55 high level
    1: ((0.0, 3.0), (0.2, 3.0), (1.0, 5.0)),  # 35 rising
    2: ((0.0, 2.0), (0.45, 1.0), (0.65, 1.0), (1.0, 4.0)),  # 214 dipping
    3: ((0.0, 5.0), (1.0, 1.0)),  # 51 falling
    4: ((0.0, 3.0), (1.0, 2.5)),  # neutral: short, mid
}

# First three formants (Hz) of a few vowels, so the classifier cannot key on timbre.
VOWELS = {
    "a": (800, 1200, 2500),
    "i": (300, 2300, 3000),
    "u": (320, 800, 2400),
    "e": (500, 1800, 2500),
    "o": (500, 900, 2400),
}


@dataclass(frozen=True)
class Conditions:
    """The ranges a split draws its voices from (uniform between the two ends)."""

    syllable_s: tuple[float, float]  # duration of a full tone (neutral tones: 0.12–0.24 s)
    range_octaves: tuple[float, float]  # distance from Chao level 1 to level 5: small means close pitch levels
    snr_db: tuple[float, float]
    jitter: tuple[float, float]  # semitones of slow pitch wobble


STANDARD = Conditions(syllable_s=(0.28, 0.55), range_octaves=(0.6, 1.0), snr_db=(12, 40), jitter=(0.05, 0.4))
# The tutorial's regime, where a model is right about half the time and int8 can tip a prediction: shorter
# syllables, pitch levels closer together, more noise and wobble. Nothing is trained on it.
HARD = Conditions(syllable_s=(0.2, 0.35), range_octaves=(0.25, 0.5), snr_db=(-3, 10), jitter=(0.3, 0.8))

# Split name -> (csv file name, seed offset, conditions). test1000 mirrors the tutorial's evaluation file.
SPLITS = {
    "train": ("train.csv", 0, STANDARD),
    "val": ("val.csv", 1, STANDARD),
    "test": ("test1000.csv", 2, STANDARD),
    "hard": ("hard1000.csv", 3, HARD),
}
DEFAULT_SIZES = {"train": 3000, "val": 500, "test": 1000, "hard": 1000}


@dataclass(frozen=True)
class Voice:
    """The random choices that make one clip differ from another of the same tone."""

    low_hz: float  # pitch of Chao level 1 for this speaker
    range_octaves: float  # distance from level 1 to level 5
    vowel: str
    duration_s: float
    onset_s: float
    level_db: float  # loudness of the syllable, dB relative to full scale
    snr_db: float  # syllable-to-background-noise ratio
    jitter: float  # standard deviation of slow pitch wobble, in semitones


def draw_voice(label: int, rng: np.random.Generator, conditions: Conditions = STANDARD) -> Voice:
    """Draw a speaker, vowel and recording condition; neutral tones are short and soft."""
    neutral = label == 4
    duration = rng.uniform(0.12, 0.24) if neutral else rng.uniform(*conditions.syllable_s)
    return Voice(
        low_hz=float(rng.choice([rng.uniform(75, 115), rng.uniform(150, 210)])),
        range_octaves=rng.uniform(*conditions.range_octaves),
        vowel=str(rng.choice(list(VOWELS))),
        duration_s=duration,
        onset_s=rng.uniform(0.0, 0.7 - duration),
        level_db=rng.uniform(-26, -8) - (6 if neutral else 0),
        snr_db=rng.uniform(*conditions.snr_db),
        jitter=rng.uniform(*conditions.jitter),
    )


def pitch_track(label: int, voice: Voice, n: int, rng: np.random.Generator) -> np.ndarray:
    """Fundamental frequency (Hz) for each of ``n`` samples."""
    times, levels = zip(*CONTOURS[label], strict=True)
    level = np.interp(np.linspace(0.0, 1.0, n), times, levels)
    hz = voice.low_hz * 2.0 ** (voice.range_octaves * (level - 1.0) / 4.0)
    wobble = np.interp(np.arange(n), np.linspace(0, n, 8), rng.normal(0, voice.jitter, 8))
    return hz * 2.0 ** (wobble / 12.0)


def resonator(freq_hz: float, bandwidth_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """Second-order IIR band-pass (b, a) at one formant, unit gain at its peak."""
    r = np.exp(-np.pi * bandwidth_hz / SAMPLE_RATE)
    theta = 2 * np.pi * freq_hz / SAMPLE_RATE
    return np.array([1 - r]), np.array([1.0, -2 * r * np.cos(theta), r * r])


def voiced_syllable(f0: np.ndarray, vowel: str) -> np.ndarray:
    """Source-filter speech: a glottal-like sawtooth at ``f0`` through the vowel's formants."""
    cycles = np.cumsum(f0) / SAMPLE_RATE
    source = 2.0 * (cycles % 1.0) - 1.0
    return sum(lfilter(*resonator(f, 0.1 * f + 50), source) for f in VOWELS[vowel])


def envelope(n: int) -> np.ndarray:
    """Quick attack, gentle release, so onsets do not click."""
    attack, release = min(n // 4, 320), min(n // 3, 960)
    env = np.ones(n)
    env[:attack] = np.linspace(0, 1, attack)
    env[n - release :] = np.linspace(1, 0, release)
    return env


def synthesize(
    label: int, rng: np.random.Generator, clip_s: float = 0.75, conditions: Conditions = STANDARD
) -> np.ndarray:
    """One clip of ``clip_s`` seconds, float32 in [-1, 1]."""
    if label not in CONTOURS:
        raise ValueError(f"label must be one of {sorted(CONTOURS)}, got {label!r}")
    voice = draw_voice(label, rng, conditions)
    n = int(voice.duration_s * SAMPLE_RATE)
    syllable = voiced_syllable(pitch_track(label, voice, n, rng), voice.vowel) * envelope(n)
    syllable *= 10 ** (voice.level_db / 20) / (np.sqrt(np.mean(syllable**2)) + 1e-12)
    clip = np.zeros(int(clip_s * SAMPLE_RATE))
    start = int(voice.onset_s * SAMPLE_RATE)
    clip[start : start + n] = syllable
    noise_rms = 10 ** ((voice.level_db - voice.snr_db) / 20)
    clip += rng.normal(0, noise_rms, clip.size)
    return np.clip(clip, -1, 1).astype(np.float32)


def write_wav(path: Path, audio: np.ndarray) -> None:
    """16-bit mono PCM WAV via the standard library (fast, and no timestamps in the header)."""
    pcm = np.round(np.clip(audio, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(SAMPLE_RATE)
        f.writeframes(pcm.tobytes())


def write_split(out_dir: Path, split: str, size: int, seed: int) -> Path:
    """Write ``size`` balanced clips of one split and its ``path,label`` CSV; return the CSV."""
    csv_name, offset, conditions = SPLITS[split]
    audio_dir = out_dir / split
    audio_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(size):
        label = i % len(CONTOURS)
        rng = np.random.default_rng([seed, offset, i])
        path = audio_dir / f"{split}_{i:05d}_tone{label}.wav"
        write_wav(path, synthesize(label, rng, conditions=conditions))
        rows.append((path.relative_to(out_dir).as_posix(), label))
    order = np.random.default_rng([seed, offset]).permutation(size)
    csv_path = out_dir / csv_name
    with csv_path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["path", "label"])
        writer.writerows(rows[j] for j in order)
    return csv_path


MANIFEST = "MANIFEST.json"  # marks a folder as ours, and records what was generated into it


def generate(out_dir: Path, sizes: dict[str, int] | None = None, seed: int = 0) -> dict[str, Path]:
    """Write every split into ``out_dir``; the same seed gives byte-identical files.

    Refuses a non-empty folder that this generator did not make, so nothing of the user's is overwritten.
    """
    out_dir = Path(out_dir)
    sizes = {**DEFAULT_SIZES, **(sizes or {})}
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MANIFEST).exists():
        raise FileExistsError(f"{out_dir}: folder has files not made by tone_helpers.synth; choose an empty folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MANIFEST).write_text(json.dumps({"seed": seed, "sizes": {}}))  # claim the folder first
    csvs = {split: write_split(out_dir, split, sizes[split], seed) for split in SPLITS}
    (out_dir / MANIFEST).write_text(json.dumps({"seed": seed, "sizes": sizes}, indent=1))
    return csvs


def ensure_generated(out_dir: Path | None = None) -> Path:
    """Generate the default data set unless it is already complete; returns the folder."""
    from tone_helpers.paths import GENERATED_DIR

    out_dir = Path(out_dir or GENERATED_DIR)
    try:
        done = json.loads((out_dir / MANIFEST).read_text()) == {"seed": 0, "sizes": DEFAULT_SIZES}
    except (OSError, ValueError):
        done = False
    if not done:
        print(f"Generating synthetic tone clips into {out_dir.name}/ (a few seconds) ...")
        generate(out_dir)
    return out_dir


def main(argv: list[str] | None = None) -> None:
    from tone_helpers.paths import GENERATED_DIR

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=GENERATED_DIR, help="folder to write (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0)
    for split, size in DEFAULT_SIZES.items():
        parser.add_argument(f"--{split}", type=int, default=size, help=f"clips in the {split} split")
    args = parser.parse_args(argv)
    csvs = generate(args.out, {s: getattr(args, s) for s in SPLITS}, args.seed)
    for split, path in csvs.items():
        print(f"{split:>5}: {path}")


if __name__ == "__main__":
    main()
