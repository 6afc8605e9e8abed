"""Tables built from measurements: rendered as Markdown on GitHub and in Jupyter, as text in tests."""

from __future__ import annotations


class Table:
    """Rows of already formatted cells. ``repr`` is a fixed-width text table (what nbval compares)."""

    def __init__(self, header: list[str], rows: list[list]):
        self.header = header
        self.rows = [[str(c) for c in row] for row in rows]

    def _repr_markdown_(self) -> str:
        lines = ["| " + " | ".join(self.header) + " |", "|" + "---|" * len(self.header)]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in self.rows])

    def __repr__(self) -> str:
        widths = [max(len(x) for x in col) for col in zip(self.header, *self.rows)]
        line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
        return "\n".join([line(self.header), line(["-" * w for w in widths])] + [line(r) for r in self.rows])
