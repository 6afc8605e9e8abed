"""The five classes, named once: labels 0-3 are Mandarin tones 1-4, label 4 is the neutral tone (the tutorial's)."""

LABELS = {0: "tone 1", 1: "tone 2", 2: "tone 3", 3: "tone 4", 4: "neutral"}
NUM_LABELS = len(LABELS)
