import pytest
import torch

from tone_helpers import LightningToneClassifier, ToneDataModule, ast_config, paths
from tone_helpers.evaluate import accuracy_on
from tone_helpers.synth import ensure_generated

EMBEDDED_TARGET = 0.95


def test_checkpoint_round_trip_gives_identical_logits(tmp_path, save_checkpoint):
    torch.manual_seed(0)
    module = LightningToneClassifier("tiny").eval()
    save_checkpoint(module, tmp_path / "m.ckpt")
    restored = LightningToneClassifier.load_from_checkpoint(tmp_path / "m.ckpt", weights_only=True).eval()
    x = torch.randn(3, 75, 128)
    with torch.no_grad():
        assert torch.equal(module(x), restored(x))


def test_checkpoint_holds_no_optimizer_state_and_is_small():
    checkpoint = torch.load(paths.EMBEDDED_CHECKPOINT, weights_only=True)
    assert "optimizer_states" not in checkpoint
    assert paths.EMBEDDED_CHECKPOINT.stat().st_size < 2e6


def test_the_hub_library_is_offline_for_the_whole_session():
    """huggingface_hub reads HF_HUB_OFFLINE once, at import: conftest.py must set it before anything imports it."""
    import huggingface_hub.constants

    assert huggingface_hub.constants.HF_HUB_OFFLINE is True


def test_embedded_checkpoint_loads_offline():
    model = LightningToneClassifier.load_from_checkpoint(paths.EMBEDDED_CHECKPOINT).model
    assert type(model).__name__ == "ASTForAudioClassification"
    assert model.config.num_labels == 5 and model.config.max_length == 75


@pytest.mark.slow
def test_embedded_checkpoint_meets_its_accuracy_target():
    ensure_generated()
    model = LightningToneClassifier.load_checkpoint(paths.EMBEDDED_CHECKPOINT).model.eval()
    dataset = ToneDataModule().get_dataset(paths.EVAL_CSV)
    assert len(dataset) == 1000
    assert accuracy_on(model, dataset) >= EMBEDDED_TARGET


def test_tutorial_preset_is_ast_base():
    config = ast_config("ast-base")
    assert (config.hidden_size, config.num_hidden_layers, config.num_attention_heads) == (768, 12, 12)
    assert config.num_labels == 5 and config.max_length == 75


@pytest.mark.parametrize(
    "name, message",
    [
        ("tiny-typo", "unknown model; use a preset"),
        ("./no/such/folder", "not a Hugging Face model folder"),
    ],
)
def test_bad_model_name_is_explained(name, message):
    with pytest.raises(ValueError, match=message):
        ast_config(name)


def test_missing_checkpoint_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nothing\.ckpt: checkpoint not found"):
        LightningToneClassifier.load_checkpoint(tmp_path / "nothing.ckpt")


def test_local_folder_loads_without_network(tmp_path):
    """The real loading path for a user's own Hugging Face folder, exercised offline (the session is offline)."""
    LightningToneClassifier("tiny").model.save_pretrained(tmp_path / "hf")
    ToneDataModule(model_name_or_path="tiny").feature_extractor.save_pretrained(tmp_path / "hf")
    module = LightningToneClassifier(str(tmp_path / "hf"))
    assert module.model.config.hidden_size == 64
    assert ToneDataModule(model_name_or_path=str(tmp_path / "hf")).feature_extractor.max_length == 75
