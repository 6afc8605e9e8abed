import pytest

from tone_helpers.tools import run_series


def test_series_is_ordered_and_filtered():
    names = [p.name for p in run_series.series()]
    assert names == sorted(names) and names[0].startswith("00_")
    assert [p.name[:2] for p in run_series.series(["04", "05"])] == ["04", "05"]


def test_parameter_values(tmp_path):
    assert run_series.parse_value("128") == 128
    assert run_series.parse_value("0.5") == 0.5
    assert run_series.parse_value("tiny") == "tiny"
    (tmp_path / "my.ckpt").write_bytes(b"")
    assert run_series.parse_value(str(tmp_path / "my.ckpt")) == str(tmp_path / "my.ckpt")


def refused(argv, monkeypatch, capsys) -> str:
    """Run tone-series with ``argv``; it must stop with a usage error before executing any notebook."""

    def must_not_run(*args, **kwargs):
        raise AssertionError("a refused run executed a notebook")

    monkeypatch.setattr(run_series, "execute", must_not_run)
    with pytest.raises(SystemExit) as stop:
        run_series.main(argv)
    assert stop.value.code == 2  # argparse's usage error, not a notebook's failure
    return capsys.readouterr().err


def test_parameters_never_overwrite_the_committed_notebooks(monkeypatch, capsys):
    assert "--inplace keeps the notebooks' own defaults" in refused(
        ["--inplace", "-p", "THREADS", "1"], monkeypatch, capsys
    )


def test_unknown_notebook_prefix_is_an_error(monkeypatch, capsys):
    assert "no notebook in notebooks starts with ['99']" in refused(["99"], monkeypatch, capsys)


def smoke_notebook(tmp_path, replace: dict):
    import nbformat

    cell = nbformat.v4.new_code_cell("REPEATS = 15\nprint(REPEATS)", metadata={"test_replace": replace})
    source = tmp_path / "reduced.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), source)
    return source


@pytest.mark.parametrize("smoke, printed", [(False, "15\n"), (True, "3\n")])
def test_smoke_runs_the_cells_test_replace_and_a_full_run_does_not(tmp_path, smoke, printed):
    import nbformat

    source = smoke_notebook(tmp_path, {"REPEATS = 15": "REPEATS = 3"})
    _, error = run_series.execute(source, tmp_path / "out.ipynb", smoke=smoke)
    assert error is None
    assert nbformat.read(tmp_path / "out.ipynb", as_version=4).cells[0].outputs[0].text == printed


def test_a_stale_test_replace_is_refused_naming_the_cell(tmp_path):
    from tone_helpers.tools.test_replace import StaleReplacement

    source = smoke_notebook(tmp_path, {"REPEATS = 20": "REPEATS = 3"})
    with pytest.raises(StaleReplacement, match=r"reduced.ipynb, cell 0: test_replace text 'REPEATS = 20'"):
        run_series.execute(source, tmp_path / "out.ipynb", smoke=True)


def test_smoke_runs_are_never_stored_in_place(monkeypatch, capsys):
    assert "a --smoke run has too few timing repeats" in refused(["--inplace", "--smoke", "01"], monkeypatch, capsys)


def test_progress_bar_redraws_are_stored_as_the_reader_sees_them():
    import nbformat

    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text="  0%|  | 0/2\r"),
        nbformat.v4.new_output("stream", name="stderr", text=" 50%|# | 1/2\r100%|##| 2/2\n"),
        nbformat.v4.new_output("stream", name="stdout", text="Total time: 1.00 s\n"),
    ]
    nb = nbformat.v4.new_notebook(cells=[cell])
    run_series.tidy_streams(nb)
    assert [(o.name, o.text) for o in nb.cells[0].outputs] == [
        ("stderr", "100%|##| 2/2\n"),
        ("stdout", "Total time: 1.00 s\n"),
    ]


def test_noisy_timings_are_found():
    import nbformat

    quiet = nbformat.v4.new_code_cell("")
    quiet.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1.00 ms\n")]
    busy = nbformat.v4.new_code_cell("")
    busy.outputs = [nbformat.v4.new_output("stream", name="stdout", text="9.00 ms ⚠ noisy\n")]
    assert run_series.noisy_cells(nbformat.v4.new_notebook(cells=[quiet, busy])) == [1]


def test_a_failing_notebook_still_writes_its_executed_copy(tmp_path):
    import nbformat

    source = tmp_path / "99_broken.ipynb"
    stamped = nbformat.v4.new_code_cell(
        "print('before')", metadata={"execution": {"shell.execute_reply": "2026-01-01"}}
    )
    nbformat.write(nbformat.v4.new_notebook(cells=[stamped, nbformat.v4.new_code_cell("1 / 0")]), source)
    out = tmp_path / "executed" / source.name
    _, error = run_series.execute(source, out)
    assert error is not None and error.ename == "ZeroDivisionError"
    stored = nbformat.read(out, as_version=4)
    assert stored.cells[0].outputs[0].text == "before\n"
    assert stored.cells[1].outputs[0].output_type == "error"
    assert all("execution" not in cell.metadata for cell in stored.cells)  # no per-cell timestamps


def test_every_notebooks_test_replace_still_matches_its_cell():
    """A stale replacement fails here, naming the notebook and cell, before a test run would time the full cell."""
    import nbformat

    from tone_helpers.tools import test_replace

    reduced = 0
    for path in sorted(run_series.NOTEBOOKS_DIR.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        reduced += sum(test_replace.KEY in cell.metadata for cell in nb.cells)
        test_replace.apply(nb, path.name)
        assert "SMOKE_TEST" not in "".join(cell.source for cell in nb.cells), path.name
    assert reduced >= 10  # the timing cells of 05–10
