"""The cell analysis that slices a notebook for a reader's files (tests/test_own_data.py) follows data, not names."""

from tone_helpers.tools.cell_graph import cell_names, depends_on, needed


def test_a_cells_own_names_are_not_reads_unless_it_reads_them_to_rebind_them():
    names = cell_names("rows = []\nfor bs in (1, 8):\n    rows.append(bs)\ntotal += 1\nx = f(x)\n%time y = 2")
    assert names.reads == {"total", "x", "f"}
    assert names.binds == {"rows", "bs", "total", "x"}  # `%time` lines are IPython's: left out


def test_imports_and_function_parameters_carry_no_data():
    names = cell_names("import torch\nfrom a.b import c as d\ndef g(model):\n    return model(torch.ones(1))")
    assert names.imports == {"torch", "d"} and names.binds == {"g"} and names.reads == set()


def test_data_flows_through_cells_and_in_place_changes_and_stops_where_a_name_is_rebound():
    cells = [
        "PATH = None",  # the parameters cell
        "import json\nrows = json.load(PATH)",
        "table = {}\ntable['x'] = rows",  # changed in place
        "other = [1, 2]",
        "print(table, other)",
        "rows = [3]",  # rebound from other data
        "print(rows, json.dumps(other))",
    ]
    assert depends_on(cells, {"PATH"}) == {0, 1, 2, 4}
    assert needed(cells, {4}) == {0, 1, 2, 3, 4}
    assert needed(cells, {6}) == {0, 1, 3, 5, 6}  # json is imported by cell 1, which reads PATH
