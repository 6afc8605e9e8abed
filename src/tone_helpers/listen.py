"""Clips you can hear in a notebook: small embedded players, and the pitch contour a listener follows.

The players embed the audio in the notebook, so they are kept small: 8 kHz, 16-bit, made from the 16 kHz
clip with integer arithmetic only (a binomial low-pass, every second sample, peak normalisation). The
same file gives the same bytes on every machine, which lets the test suite compare the stored player.
"""

from __future__ import annotations

import base64
import html
import io
import wave
from pathlib import Path

import numpy as np

from tone_helpers.audio import TARGET_RATE, read_audio

PREVIEW_RATE = TARGET_RATE // 2


def preview_wav(path: str | Path) -> bytes:
    """The clip as an 8 kHz 16-bit mono WAV file, peak-normalised, in bytes."""
    pcm = np.round(read_audio(path).astype(np.float64) * 32768).astype(np.int64)  # soundfile divided by 32768
    padded = np.pad(pcm, 2)
    smooth = padded[:-4] + 4 * padded[1:-3] + 6 * padded[2:-2] + 4 * padded[3:-1] + padded[4:]  # × 16
    half = smooth[::2]
    peak = max(int(np.abs(half).max()), 1)
    out = (half * 30000 // peak).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(PREVIEW_RATE)
        f.writeframes(out.tobytes())
    return buffer.getvalue()


def player(path: str | Path) -> str:
    """An HTML audio player with the clip inside it."""
    data = base64.b64encode(preview_wav(path)).decode("ascii")
    return f'<audio controls preload="metadata" src="data:audio/wav;base64,{data}"></audio>'  # shows its length


def players(clips: list[tuple[str, str | Path]]):
    """A table of players, one row per (caption, path), for ``IPython.display.display``."""
    from IPython.display import HTML

    rows = "".join(f"<tr><td>{html.escape(caption)}</td><td>{player(path)}</td></tr>" for caption, path in clips)
    return HTML(f"<table>{rows}</table>")


def pitch_contour(path: str | Path, frame_ms: float = 10, window_ms: float = 40, fmin=60.0, fmax=500.0):
    """Fundamental frequency per frame by autocorrelation: (times in s, Hz or NaN where unvoiced)."""
    audio = read_audio(path).astype(np.float64)
    hop, size = int(TARGET_RATE * frame_ms / 1000), int(TARGET_RATE * window_ms / 1000)
    lags = np.arange(int(TARGET_RATE / fmax), int(TARGET_RATE / fmin) + 1)
    loudest = np.sqrt(np.mean(audio**2)) * 2  # frames quieter than this are background
    times, hz = [], []
    for start in range(0, len(audio) - size, hop):
        frame = audio[start : start + size] * np.hanning(size)
        energy = np.dot(frame, frame)
        corr = np.array([np.dot(frame[:-lag], frame[lag:]) for lag in lags]) / max(energy, 1e-12)
        best = int(np.argmax(corr))
        voiced = corr[best] > 0.4 and np.sqrt(energy / size) > loudest / 4
        times.append((start + size / 2) / TARGET_RATE)
        hz.append(TARGET_RATE / lags[best] if voiced else np.nan)
    return np.array(times), np.array(hz)
