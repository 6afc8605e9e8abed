"""The one adapter of the series, in both directions, between a 🤗 model and a plain logits function.

A 🤗 model returns an output object (``model(x).logits``); an exported graph, a compiled graph or an
ONNX Runtime session takes and returns plain tensors. Every measuring helper calls ``model(x).logits``.
"""

from __future__ import annotations

from types import SimpleNamespace

import torch
from torch import nn


class LogitsOnly(nn.Module):
    """A 🤗 AST whose forward returns the logits tensor: what ``torch.export`` and ONNX can capture."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, input_values: torch.Tensor) -> torch.Tensor:
        return self.model(input_values).logits


def with_logits(call):
    """A function from input to logits tensor, called like the 🤗 model: ``with_logits(f)(x).logits``."""
    return lambda input_values: SimpleNamespace(logits=call(input_values))
