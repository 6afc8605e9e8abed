import pytest
import torch

from tone_helpers import LightningToneClassifier, ToneDataModule, paths
from tone_helpers.evaluate import predict
from tone_helpers.tools.train import main, train


def test_training_takes_a_step_and_saves_a_loadable_checkpoint(tmp_path, first_clips):
    clips = first_clips(paths.TRAIN_CSV, 8, tmp_path / "few.csv")
    out = tmp_path / "one_step.ckpt"
    result = train(
        out,
        epochs=1,
        batch_size=4,
        learning_rate=1e-3,
        seed=0,
        threads=1,
        train_csv=clips,
        val_csv=clips,
        eval_csv=clips,
        max_steps=1,
    )
    assert result["bytes"] == out.stat().st_size
    trained = LightningToneClassifier.load_checkpoint(out).model.eval()
    # the reported accuracy is the saved model's on the evaluation clips, not a figure of the training loop
    preds, labels = predict(trained, ToneDataModule().get_dataset(clips))
    assert result["eval_accuracy"] == pytest.approx((preds == labels).float().mean().item())
    torch.manual_seed(0)  # train() seeds with 0 before it builds the model: the same starting weights
    untouched = dict(LightningToneClassifier("tiny").model.named_parameters())
    moved = [name for name, weight in trained.named_parameters() if not torch.equal(weight, untouched[name])]
    assert moved, "one optimizer step changed no weight"
    assert "optimizer_states" not in torch.load(out, weights_only=True)


def test_an_existing_checkpoint_is_never_overwritten_by_default(tmp_path, capsys):
    mine = tmp_path / "mine.ckpt"
    mine.write_bytes(b"my own model")
    with pytest.raises(SystemExit):
        main(["--out", str(mine)])
    assert mine.read_bytes() == b"my own model" and "--overwrite" in capsys.readouterr().err


def test_a_float16_checkpoint_loads_as_float32_holding_exactly_the_stored_values(tmp_path, save_checkpoint):
    from tone_helpers.tools.train import store_float16

    torch.manual_seed(0)
    original = LightningToneClassifier("tiny")
    path = save_checkpoint(original, tmp_path / "half.ckpt")
    store_float16(path)
    stored = torch.load(path, weights_only=True)["state_dict"]
    assert all(v.dtype == torch.float16 for v in stored.values() if v.is_floating_point())
    loaded = dict(LightningToneClassifier.load_checkpoint(path).named_parameters())
    for name, weight in original.named_parameters():
        assert loaded[name].dtype == torch.float32
        assert torch.equal(loaded[name], weight.detach().half().float()), name


def test_the_small_checkpoint_is_the_small_preset_in_float16():
    stored = torch.load(paths.SMALL_CHECKPOINT, weights_only=True)
    assert stored["hyper_parameters"]["model_name_or_path"] == "small"
    assert {v.dtype for v in stored["state_dict"].values() if v.is_floating_point()} == {torch.float16}
    assert paths.SMALL_CHECKPOINT.stat().st_size <= 8e6  # the repository's limit for a trained preset
