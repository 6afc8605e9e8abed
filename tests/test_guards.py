"""The series' accuracy guards can fail: on the trained small model, on the hard set, with damaged weights."""

import pytest

from tone_helpers import LightningToneClassifier, ToneDataModule, int8, notebook, paths
from tone_helpers.evaluate import predict
from tone_helpers.guards import int8_guards
from tone_helpers.synth import ensure_generated

pytestmark = pytest.mark.slow  # evaluates the small model on hard clips

CLIPS = 300  # enough for every guard to see the damage; a third of the set keeps the test short


@pytest.fixture(scope="module")
def small_on_hard():
    ensure_generated()  # the hard clips, on a fresh checkout
    model = LightningToneClassifier.load_checkpoint(paths.SMALL_CHECKPOINT).model.eval()
    hard = ToneDataModule(model_name_or_path="small").get_dataset(paths.HARD_CSV, limit=CLIPS)
    return model, hard, predict(model, hard)[0]


@pytest.mark.parametrize("bits", [2, 4])
def test_every_guard_fails_on_low_bit_weights(small_on_hard, bits, monkeypatch, capsys):
    model, hard, fp32_preds = small_on_hard
    damaged = predict(int8.fake_quantized_copy(model, bits, dim=None), hard)[0]
    guards = int8_guards(fp32_preds, damaged, hard.labels)
    for holds, claim, otherwise in guards:  # on the embedded model, a failed guard stops the notebook
        with pytest.raises(AssertionError, match="not so on the embedded model"):
            notebook.check(holds, claim, otherwise)
    monkeypatch.setattr(notebook, "USER_INPUTS", {"checkpoint": "damaged.ckpt"})  # on a reader's: a printed ✗
    for holds, claim, otherwise in guards:
        notebook.check(holds, claim, otherwise)
    verdicts = capsys.readouterr().out.splitlines()
    assert len(verdicts) == 3 and all(v.startswith("✗ ") for v in verdicts), verdicts


def test_every_guard_holds_when_nothing_changes(small_on_hard, capsys):
    _, hard, fp32_preds = small_on_hard
    for holds, claim, otherwise in int8_guards(fp32_preds, fp32_preds.clone(), hard.labels):
        notebook.check(holds, claim, otherwise)
    verdicts = capsys.readouterr().out.splitlines()
    assert len(verdicts) == 3 and all(v.startswith("✓ ") for v in verdicts), verdicts
