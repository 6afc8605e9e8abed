"""The AST module tree as transformers 4.x laid it out, for reproducing the tutorial's file sizes.

``torch.save(model.state_dict())`` stores every key name and, per module, a small metadata entry,
so the file size depends on the names. transformers 5 renamed AST's modules
(``encoder.layer.0.attention.attention.query`` became ``layers.0.attention.q_proj``), which shrinks
the same weights' file by about ten kilobytes. The tutorial measured the 4.x layout; this module rebuilds
that layout around the same tensors so its numbers can be reproduced exactly.
"""

from __future__ import annotations

import torch
from torch import nn
from transformers import ASTForAudioClassification
from transformers.activations import ACT2FN
from transformers.core_model_loading import revert_weight_conversion


class _Node(nn.Module):
    """A container with no behaviour of its own: only its name and children matter here."""


def _layer(hidden: int, intermediate: int, act: str) -> nn.Module:
    self_attention = _Node()
    self_attention.query, self_attention.key, self_attention.value = (nn.Linear(hidden, hidden) for _ in range(3))
    self_attention.dropout = nn.Dropout()
    self_output = _Node()
    self_output.dense, self_output.dropout = nn.Linear(hidden, hidden), nn.Dropout()
    attention = _Node()
    attention.attention, attention.output = self_attention, self_output
    up = _Node()
    up.dense, up.intermediate_act_fn = nn.Linear(hidden, intermediate), ACT2FN[act]
    down = _Node()
    down.dense, down.dropout = nn.Linear(intermediate, hidden), nn.Dropout()
    layer = _Node()
    layer.attention, layer.intermediate, layer.output = attention, up, down
    layer.layernorm_before, layer.layernorm_after = nn.LayerNorm(hidden), nn.LayerNorm(hidden)
    return layer


def legacy_layout(model: ASTForAudioClassification) -> nn.Module:
    """A module with transformers 4.x names holding ``model``'s weights (for sizing only: no forward)."""
    c = model.config
    h = c.hidden_size
    embeddings = _Node()
    embeddings.cls_token = nn.Parameter(torch.empty(1, 1, h))
    embeddings.distillation_token = nn.Parameter(torch.empty(1, 1, h))
    embeddings.position_embeddings = nn.Parameter(
        torch.empty_like(model.audio_spectrogram_transformer.embeddings.position_embeddings)
    )
    patches = _Node()
    patches.projection = nn.Conv2d(1, h, c.patch_size, stride=(c.frequency_stride, c.time_stride))
    embeddings.patch_embeddings, embeddings.dropout = patches, nn.Dropout()
    encoder = _Node()
    encoder.layer = nn.ModuleList(_layer(h, c.intermediate_size, c.hidden_act) for _ in range(c.num_hidden_layers))
    ast = _Node()
    ast.embeddings, ast.encoder, ast.layernorm = embeddings, encoder, nn.LayerNorm(h)
    head = _Node()
    head.layernorm, head.dense = nn.LayerNorm(h), nn.Linear(h, c.num_labels)
    root = _Node()
    root.audio_spectrogram_transformer, root.classifier = ast, head
    root.load_state_dict(revert_weight_conversion(model, model.state_dict()), strict=True)
    return root.eval()
