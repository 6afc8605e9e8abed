from tone_helpers.report import Table


def test_table_text_does_not_depend_on_cell_widths():
    """Masking '1.23 s' and '123.45 ms' alike must give the same text: no padding to widths."""
    short = repr(Table(["model", "time"], [["a", "1.23 s"]])).replace("1.23 s", "<time>")
    long = repr(Table(["model", "time"], [["a", "123.45 ms"]])).replace("123.45 ms", "<time>")
    assert short == long == "| model | time |\n|---|---|\n| a | <time> |"
