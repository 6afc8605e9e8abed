"""Read one audio file as 16 kHz mono float32, or fail with a message that names the file."""

from __future__ import annotations

import re
from math import gcd
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

TARGET_RATE = 16_000
# Rates a recording can have; below, resampling to 16 kHz would multiply the samples by thousands (a damaged header)
RATES = (1_000, 768_000)


class ToneDataError(ValueError):
    """Bad input data: the message names the file, row or value at fault."""


def _check_complete(path: Path, info: sf._SoundFileInfo) -> None:
    # libsndfile shortens a truncated WAV silently and only notes it in its log ("should be").
    declared = re.search(r"^data : (\d+) \(should be (\d+)\)", info.extra_info, re.M)
    if declared and int(declared.group(2)) < int(declared.group(1)):
        raise ToneDataError(
            f"{path}: audio file is truncated (header declares {declared.group(1)} bytes of audio, "
            f"only {declared.group(2)} are present)"
        )


def read_audio(path: str | Path) -> np.ndarray:
    """Decode WAV/FLAC (any rate, any channel count, 16/24-bit or float) to 16 kHz mono float32."""
    path = Path(path)
    if path.is_dir():
        raise ToneDataError(f"{path}: is a folder, not an audio file")
    if not path.is_file():
        raise ToneDataError(f"{path}: audio file not found")
    if path.stat().st_size == 0:
        raise ToneDataError(f"{path}: audio file is empty (0 bytes)")
    try:
        info = sf.info(str(path))
        _check_complete(path, info)
        audio, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except sf.LibsndfileError as exc:
        raise ToneDataError(f"{path}: cannot decode audio ({exc.error_string})") from None
    if len(audio) < info.frames:
        raise ToneDataError(f"{path}: audio file is truncated ({len(audio)} of {info.frames} frames)")
    if len(audio) == 0:
        raise ToneDataError(f"{path}: audio file has no samples (zero length)")
    if not RATES[0] <= rate <= RATES[1]:
        raise ToneDataError(f"{path}: sample rate {rate} Hz is not an audio rate ({RATES[0]}–{RATES[1]} Hz)")
    bad = int((~np.isfinite(audio)).sum())
    if bad:
        raise ToneDataError(f"{path}: {bad} samples are NaN or infinite (a float WAV can hold them; audio cannot)")
    mono = audio.mean(axis=1)
    if rate != TARGET_RATE:
        g = gcd(rate, TARGET_RATE)
        mono = resample_poly(mono, TARGET_RATE // g, rate // g).astype(np.float32)
    return mono
