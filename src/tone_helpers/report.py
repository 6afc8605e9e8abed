"""Tables built from measurements, as Markdown: rendered on GitHub and in Jupyter, plain text for nbval.

The text form is not padded to column widths, so a masked timing of another length cannot shift the
rest of the table (nbval compares the text after masking).
"""

from __future__ import annotations


class Table:
    """Rows of cells (formatted with ``str``); displays as a Markdown table."""

    def __init__(self, header: list[str], rows: list[list]):
        self.header = [str(c) for c in header]
        self.rows = [[str(c) for c in row] for row in rows]

    def _repr_markdown_(self) -> str:
        def row(cells: list[str]) -> str:  # a "|" inside a cell would start another column
            return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

        lines = [row(self.header), "|" + "---|" * len(self.header)]
        return "\n".join(lines + [row(r) for r in self.rows])

    __repr__ = _repr_markdown_
