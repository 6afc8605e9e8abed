"""onnx_backend.narrowed_ranges: which calibrated activation ranges are narrower than a reference (notebook 09)."""

import numpy as np

from tone_helpers.onnx_backend import narrowed_ranges


class Range:  # the shape of ONNX Runtime's TensorData: range_value = (lowest, highest), numpy scalars
    def __init__(self, low, high):
        self.range_value = (np.array(low, dtype=np.float32), np.array(high, dtype=np.float32))


def test_narrowed_ranges_names_only_ranges_narrower_beyond_the_tolerance():
    reference = {"a": Range(-1.0, 3.0), "b": Range(0.0, 0.6), "c": (-2.0, 2.0)}
    ranges = {
        "a": Range(-1.0, 1.0),  # narrower: half the width kept
        "b": Range(0.0, np.nextafter(np.float32(0.6), np.float32(0))),  # last-bit float noise: the same
        "c": (-2.0, 2.0),  # plain pairs are accepted too
    }
    assert narrowed_ranges(reference, ranges) == {"a": 0.5}


def test_narrowed_ranges_ignores_a_wider_range():
    assert narrowed_ranges({"a": (0.0, 1.0)}, {"a": (-0.5, 1.0)}) == {}
