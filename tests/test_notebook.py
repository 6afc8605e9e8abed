import pytest

from tone_helpers import notebook


@pytest.fixture
def own_inputs(monkeypatch):
    monkeypatch.setattr(notebook, "USER_INPUTS", {})
    return notebook.USER_INPUTS


def test_a_check_is_an_assert_on_the_embedded_model(own_inputs, capsys):
    notebook.check(True, "holds")
    assert capsys.readouterr().out == "✓ holds\n"
    with pytest.raises(AssertionError, match="fails"):
        notebook.check(False, "fails", "why")


def test_a_check_is_a_verdict_on_the_readers_own_files(own_inputs, tmp_path, capsys):
    mine = tmp_path / "mine.ckpt"
    mine.write_bytes(b"")
    assert notebook.checkpoint_path(str(mine)) == mine
    notebook.check(False, "int8 agrees on 99 %", "it agrees on 97.0 % of your clips")
    assert capsys.readouterr().out == "✗ int8 agrees on 99 % — it agrees on 97.0 % of your clips\n"


def test_the_default_paths_are_not_the_readers(own_inputs):
    notebook.checkpoint_path(None)
    assert own_inputs == {}


def test_a_missing_file_is_named(own_inputs, tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.ckpt"):
        notebook.checkpoint_path(tmp_path / "nope.ckpt")
