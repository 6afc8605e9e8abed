"""Test-session settings that notebook kernels inherit (nbval starts them from this process)."""

import os

# Notebooks read this flag (tone_helpers.notebook.SMOKE_TEST) to take fewer timing repeats.
os.environ.setdefault("TONE_SMOKE_TEST", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the series must never reach for the model hub
