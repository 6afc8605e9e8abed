"""tone-report: the report on the embedded model, evaluation on 1 and 2 processes, bad inputs, and the gate."""

import pytest
import torch

from tone_helpers import LightningToneClassifier, ToneDataModule, paths, results
from tone_helpers.evaluate import accuracy_on
from tone_helpers.tools import report_cli
from tone_helpers.tools.distributed import Recipe, evaluate_logits

CHECKPOINT = str(paths.EMBEDDED_CHECKPOINT)


def exit_status(argv: list[str]) -> int:
    """What the ``tone-report`` command would exit with: ``main`` returning is 0."""
    try:
        report_cli.main(argv)
    except SystemExit as stop:
        return stop.code
    return 0


@pytest.fixture(scope="module")
def clips():
    """Features and labels of the first 37 evaluation clips (37: not a multiple of 2, nor of the batch)."""
    pl_model = LightningToneClassifier.load_from_checkpoint(CHECKPOINT, map_location="cpu", weights_only=True)
    dataset = ToneDataModule(model_name_or_path=pl_model.hparams.model_name_or_path).get_dataset(paths.EVAL_CSV)
    return dataset.features[:37], dataset.labels[:37]


@pytest.mark.slow
def test_one_and_two_processes_give_the_same_predictions_clip_for_clip(clips):
    features, labels = clips
    recipe = Recipe(CHECKPOINT, "PyTorch int8")
    one = evaluate_logits(recipe, features, labels, processes=1, threads=1, batch_size=8)
    two = evaluate_logits(recipe, features, labels, processes=2, threads=2, batch_size=8)  # 5 batches: 3 + 2
    assert one.shape == (37, 5)
    assert torch.equal(one.argmax(-1), two.argmax(-1))
    assert torch.equal(one, two)  # the same batches, so the same int8 ranges, so the same logits


@pytest.mark.slow
def test_the_report_matches_the_notebooks_accuracy_and_int8_passes_the_gate(first_clips, tmp_path, capsys):
    csv = first_clips(paths.EVAL_CSV, 41, tmp_path / "mine.csv")
    out = tmp_path / "report"
    status = exit_status(["--checkpoint", CHECKPOINT, "--csv", str(csv), "--out", str(out), "--repeats", "2"])
    assert status == 0  # the series' guideline, by default: both int8 backends keep all 41 clips' classes
    printed = capsys.readouterr().out.splitlines()
    assert printed[-2].startswith("✓ PyTorch int8 within the gate: accuracy +0.0 points against float32, allowed -0.5")
    assert printed[-1].startswith("✓ ONNX Runtime int8 within the gate")
    assert "41 clips cannot rule out a larger drop" in printed[-1]  # the interval reaches beyond the bar
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
    assert report["gate"]["passed"] and report["gate"]["max drop (points)"] == 0.5
    assert "## Gate: passed" in (out / "report.md").read_text()


@pytest.fixture
def damaged_checkpoint(save_checkpoint, tmp_path):
    """The embedded model with one weight outlier per MLP that float32 never uses and per-tensor int8 cannot hold.

    fc1's weight [0, 0] becomes 100 (the others are below 0.14) and fc2 ignores fc1's unit 0, so float32 predicts
    exactly as before; dynamic int8 quantizes each weight tensor with one scale, 100 / 127, which rounds every other
    fc1 weight to 0 (measured: int8 agrees with float32 on 31 of the first 41 clips, 697 of 1000).
    """
    pl_model = LightningToneClassifier.load_from_checkpoint(CHECKPOINT, map_location="cpu", weights_only=True)
    with torch.no_grad():
        for layer in pl_model.model.audio_spectrogram_transformer.layers:
            layer.mlp.fc1.weight[0, 0] = 100.0
            layer.mlp.fc2.weight[:, 0] = 0.0
    return save_checkpoint(pl_model, tmp_path / "damaged.ckpt")


@pytest.mark.slow
def test_a_model_that_int8_damages_fails_the_gate_with_status_3_and_a_written_report(
    damaged_checkpoint, first_clips, tmp_path, capsys
):
    csv = first_clips(paths.EVAL_CSV, 41, tmp_path / "mine.csv")
    out = tmp_path / "report"
    argv = ["--checkpoint", str(damaged_checkpoint), "--csv", str(csv), "--out", str(out)]
    assert exit_status([*argv, "--backends", "pytorch-int8", "--repeats", "1"]) == report_cli.OUTSIDE_GATE == 3
    printed = capsys.readouterr()
    assert printed.out.splitlines()[-1].startswith(
        "✗ PyTorch int8 outside the gate (accuracy and agreement): accuracy -"
    )
    assert "tone-report: int8 outside the gate: PyTorch int8 (exit status 3)" in printed.err
    report = results.load(out / "report.json")
    assert report["quality"]["PyTorch float32"]["accuracy"] == 1.0  # float32 never uses the outlier
    assert not report["gate"]["passed"] and not report["gate"]["backends"]["PyTorch int8"]["passed"]
    assert "## Gate: failed (exit status 3)" in (out / "report.md").read_text()


def gate_row(clips: int, lost: int = 0, gained: int = 0, swapped: int = 0) -> dict:
    """An int8 row of ``quality`` on ``clips`` clips of class 0: int8 is wrong on ``lost`` clips float32 gets right,
    right on ``gained`` clips float32 gets wrong, and wrong in another way on ``swapped`` clips float32 also gets
    wrong (a changed class, the same accuracy)."""
    labels = torch.zeros(clips, dtype=torch.long)
    fp32 = labels.clone()
    fp32[clips - gained - swapped :] = 1
    int8 = fp32.clone()
    int8[:lost] = 2
    int8[clips - gained - swapped : clips - gained] = 3
    int8[clips - gained :] = 0
    return report_cli.quality({"PyTorch float32": fp32, "PyTorch int8": int8}, labels)["PyTorch int8"]


@pytest.mark.parametrize(
    "clips, lost, gained, swapped, max_drop, min_agreement, short",
    [
        (1000, 5, 0, 0, 0.5, 99, []),  # 0.5 points of 1000 clips: 5 clips, and 5 pass
        (1000, 6, 0, 0, 0.5, 99, ["accuracy"]),
        (1000, 7, 2, 0, 0.5, 99, []),  # net: 2 clips gained back offset 2 of the 7 lost
        (1000, 0, 9, 0, 0.5, 99, []),  # a gain passes, however large, while agreement holds
        (1000, 0, 0, 10, 0.5, 99, []),  # 990 of 1000 keep their class: exactly 99 %
        (1000, 0, 0, 11, 0.5, 99, ["agreement"]),  # the same accuracy, but 11 clips change class
        (1000, 6, 0, 5, 0.5, 99, ["accuracy", "agreement"]),
        (10000, 57, 0, 0, 0.57, 99, []),  # 0.57 * 10000 / 100 is 56.99999999999999 in floating point
        (41, 1, 0, 0, 0.5, 99, ["accuracy", "agreement"]),  # on 41 clips the guideline allows no clip to change
        (41, 1, 0, 0, 2.5, 97.5, []),  # 1 clip of 41 is 2.44 points
    ],
)
def test_the_gate_counts_clips_against_the_bars(clips, lost, gained, swapped, max_drop, min_agreement, short):
    q = gate_row(clips, lost, gained, swapped)
    g = report_cli.gate(q, clips, max_drop, min_agreement)
    assert g["clips lost, net"] == lost - gained and g["same class as float32"] == clips - lost - gained - swapped
    assert g["passed"] == (not short)
    line = report_cli.gate_line("PyTorch int8", q, g, clips, max_drop, min_agreement)
    if short:
        assert line.startswith(f"✗ PyTorch int8 outside the gate ({' and '.join(short)}): ")
    else:
        assert line.startswith("✓ PyTorch int8 within the gate: ")


def test_a_passing_line_warns_when_the_interval_reaches_beyond_the_bar():
    few, many = gate_row(41), gate_row(1000)  # no clip changes; Newcombe's interval reaches -8.6 and -0.4 points
    lines = [
        report_cli.gate_line("int8", q, report_cli.gate(q, n, 0.5, 99), n, 0.5, 99)
        for q, n in ((few, 41), (many, 1000))
    ]
    assert lines[0].endswith("the 95 % interval reaches -8.6 points, so 41 clips cannot rule out a larger drop")
    assert "interval" not in lines[1]
    assert lines[1] == (
        "✓ int8 within the gate: accuracy +0.0 points against float32, allowed -0.5 (net 0 of 1000 clips lost, "
        "allowed 5); agreement 100.0 %, required 99.0 % (1000 of 1000 clips, required 990)"
    )


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
        ("max drop not a number", "--max-drop 'half': give a number of percentage points from 0 to 100"),
        ("max drop negative", "--max-drop '-0.5': give a number of percentage points from 0 to 100"),
        ("min agreement above 100", "--min-agreement '100.1': give a number of percent from 0 to 100"),
        ("min agreement nan", "--min-agreement 'nan': give a number of percent from 0 to 100"),
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
    elif case == "unknown backend":
        backends = "tensorrt"
    gate = {
        "max drop not a number": ["--max-drop", "half"],
        "max drop negative": ["--max-drop=-0.5"],
        "min agreement above 100": ["--min-agreement", "100.1"],
        "min agreement nan": ["--min-agreement", "nan"],
    }.get(case, [])
    with pytest.raises(SystemExit) as stop:
        report_cli.main(["--checkpoint", checkpoint, "--csv", csv, "--out", str(out), "--backends", backends, *gate])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1  # one line
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
