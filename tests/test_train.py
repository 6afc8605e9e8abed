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
