import pytest

from tone_helpers import run_series


def test_series_is_ordered_and_filtered():
    names = [p.name for p in run_series.series()]
    assert names == sorted(names) and names[0].startswith("01_")
    assert [p.name[:2] for p in run_series.series(["03", "04"])] == ["03", "04"]


def test_parameter_values(tmp_path):
    assert run_series.parse_value("128") == 128
    assert run_series.parse_value("0.5") == 0.5
    assert run_series.parse_value("tiny") == "tiny"
    (tmp_path / "my.ckpt").write_bytes(b"")
    assert run_series.parse_value(str(tmp_path / "my.ckpt")) == str(tmp_path / "my.ckpt")


def test_parameters_never_overwrite_the_committed_notebooks():
    with pytest.raises(SystemExit):
        run_series.main(["--inplace", "-p", "THREADS", "1"])


def test_unknown_notebook_prefix_is_an_error():
    with pytest.raises(SystemExit):
        run_series.main(["99"])


def test_a_refused_run_leaves_the_test_environment_alone(monkeypatch):
    monkeypatch.setenv("TONE_SMOKE_TEST", "1")
    with pytest.raises(SystemExit):
        run_series.main(["99"])
    import os
    assert os.environ["TONE_SMOKE_TEST"] == "1"  # later notebook kernels inherit it
