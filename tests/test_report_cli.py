"""tone-report: the report on the embedded model, evaluation on 1 and 2 processes, and bad inputs."""

import pytest
import torch

from tone_helpers import LightningToneClassifier, ToneDataModule, paths, results
from tone_helpers.evaluate import accuracy_on
from tone_helpers.tools import report_cli
from tone_helpers.tools.distributed import Recipe, evaluate_logits

CHECKPOINT = str(paths.EMBEDDED_CHECKPOINT)


@pytest.fixture(scope="module")
def clips():
    """Features and labels of the first 37 evaluation clips (37: not a multiple of 2, nor of the batch)."""
    pl_model = LightningToneClassifier.load_from_checkpoint(CHECKPOINT, map_location="cpu", weights_only=True)
    dataset = ToneDataModule(model_name_or_path=pl_model.hparams.model_name_or_path).get_dataset(paths.EVAL_CSV)
    return dataset.features[:37], dataset.labels[:37]


def test_one_and_two_processes_give_the_same_predictions_clip_for_clip(clips):
    features, labels = clips
    recipe = Recipe(CHECKPOINT, "PyTorch int8")
    one = evaluate_logits(recipe, features, labels, processes=1, threads=1, batch_size=8)
    two = evaluate_logits(recipe, features, labels, processes=2, threads=2, batch_size=8)  # 5 batches: 3 + 2
    assert one.shape == (37, 5)
    assert torch.equal(one.argmax(-1), two.argmax(-1))
    assert torch.equal(one, two)  # the same batches, so the same int8 ranges, so the same logits


def test_the_report_matches_the_notebooks_accuracy(first_clips, tmp_path):
    csv = first_clips(paths.EVAL_CSV, 41, tmp_path / "mine.csv")
    out = tmp_path / "report"
    report_cli.main(["--checkpoint", CHECKPOINT, "--csv", str(csv), "--out", str(out), "--repeats", "2"])
    assert sorted(p.name for p in out.iterdir()) == [
        "comparison.png",
        "confusion_matrices.png",
        "report.json",
        "report.md",
    ]
    report = results.load(out / "report.json")
    pl_model = LightningToneClassifier.load_from_checkpoint(CHECKPOINT, map_location="cpu", weights_only=True)
    dataset = ToneDataModule(model_name_or_path=pl_model.hparams.model_name_or_path).get_dataset(csv)
    assert report["clips"] == 41
    fp32_accuracy = accuracy_on(pl_model.model.eval(), dataset)
    assert report["quality"]["PyTorch float32"]["accuracy"] == pytest.approx(fp32_accuracy)
    assert {r["backend"] for r in report["timings"]} == {"PyTorch float32", "PyTorch int8", "ONNX Runtime int8"}
    assert {r["batch"] for r in report["timings"]} == {1, 8}
    assert "## Accuracy" in (out / "report.md").read_text()
    low, high = report["quality"]["PyTorch int8"]["accuracy difference 95 % interval"]
    assert low <= report["quality"]["PyTorch int8"]["accuracy difference"] <= high
    assert "Newcombe's paired interval" in (out / "report.md").read_text()


def bad_label_csv(first_clips, tmp_path):
    csv = first_clips(paths.EVAL_CSV, 3, tmp_path / "bad.csv")
    lines = csv.read_text().splitlines()
    lines[2] = lines[2].rsplit(",", 1)[0] + ",9"
    csv.write_text("\n".join(lines) + "\n")
    return csv


@pytest.mark.parametrize(
    "case, message",
    [
        ("missing csv", "metadata CSV not found"),
        ("bad label", "line 3: label 9 is outside 0-4"),
        ("missing checkpoint", "checkpoint not found"),
        ("existing folder", "already exists and is not an empty folder"),
        ("unknown backend", "choose from pytorch-int8, onnx-int8"),
    ],
)
def test_bad_input_exits_with_the_message_and_writes_nothing(case, message, first_clips, tmp_path, capsys):
    csv, checkpoint, out = str(first_clips(paths.EVAL_CSV, 3, tmp_path / "ok.csv")), CHECKPOINT, tmp_path / "out"
    backends = "pytorch-int8"
    if case == "missing csv":
        csv = str(tmp_path / "nope.csv")
    elif case == "bad label":
        csv = str(bad_label_csv(first_clips, tmp_path))
    elif case == "missing checkpoint":
        checkpoint = str(tmp_path / "nope.ckpt")
    elif case == "existing folder":
        out.mkdir()
        (out / "mine.txt").write_text("keep me")
    else:
        backends = "tensorrt"
    with pytest.raises(SystemExit) as stop:
        report_cli.main(["--checkpoint", checkpoint, "--csv", csv, "--out", str(out), "--backends", backends])
    assert stop.value.code == 2
    assert message in capsys.readouterr().err
    if case == "existing folder":
        assert [p.name for p in out.iterdir()] == ["mine.txt"] and (out / "mine.txt").read_text() == "keep me"
    else:
        assert not out.exists()


def test_tone_report_is_an_installed_command():
    from importlib.metadata import entry_points

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "tone-report"]
    assert script.load() is report_cli.main


def test_merging_refuses_a_clip_missing_or_counted_twice(tmp_path):
    from tone_helpers.tools.distributed import merge_parts

    logits = torch.zeros(2, 5)
    torch.save({"index": torch.tensor([0, 2]), "logits": logits}, tmp_path / "rank0.pt")
    torch.save({"index": torch.tensor([2, 3]), "logits": logits}, tmp_path / "rank1.pt")  # 2 twice, 1 missing
    with pytest.raises(RuntimeError, match=r"missing \[1\], twice \[2\]"):
        merge_parts(tmp_path, 4)
    torch.save({"index": torch.tensor([1, 3]), "logits": torch.ones(2, 5)}, tmp_path / "rank1.pt")
    assert torch.equal(merge_parts(tmp_path, 4)[:, 0], torch.tensor([0.0, 1.0, 0.0, 1.0]))
