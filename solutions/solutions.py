"""Solutions to the checked exercises. Try them yourself first: each notebook's checker says what is wrong.

Run ``python solutions/solutions.py`` to see every checker accept these answers.
"""

import torch

# 01 · Exercise 1: the parameter whose shape depends on max_length
LENGTH_PARAMETER = "audio_spectrogram_transformer.embeddings.position_embeddings"

# 01 · Exercise 2: torch.load(checkpoint, weights_only=True).keys() on the embedded checkpoint
CHECKPOINT_KEYS = {
    "epoch",
    "global_step",
    "pytorch-lightning_version",
    "state_dict",
    "loops",
    "hparams_name",
    "hyper_parameters",
}

# 04 · Exercise 3: the float16 copy's size in MB (model.half(), then the tutorial's print_size_of_model)
HALF_SIZE_MB = 0.246


# 03 · Exercise 1
def affine_params(lo, hi, qmin, qmax):
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = (hi - lo) / (qmax - qmin) or 0.1
    zero_point = round(qmin - lo / scale)
    return scale, min(max(zero_point, qmin), qmax)


# 03 · Exercise 2
def quantize(x, scale, zero_point, qmin, qmax):
    return torch.clamp(torch.round(x / scale) + zero_point, qmin, qmax).to(torch.int32)


# 03 · Exercise 3
def per_channel_scales(w):
    return w.abs().amax(dim=1) / 127.5


# 03 · Exercise 4
def int_linear(xq, x_zero_point, wq, x_scale, w_scale, bias):
    acc = (xq.to(torch.int32) - x_zero_point) @ wq.to(torch.int32).T
    return acc.to(torch.float32) * (x_scale * w_scale) + bias


if __name__ == "__main__":
    from tone_helpers import exercises

    exercises.length_parameter(LENGTH_PARAMETER)
    exercises.checkpoint_keys(CHECKPOINT_KEYS)
    exercises.half_size(HALF_SIZE_MB)
    exercises.affine_params(affine_params)
    exercises.quantize(quantize)
    exercises.per_channel_scales(per_channel_scales)
    exercises.int_linear(int_linear)
