"""Which code cells of a notebook read what others bind, from each cell's syntax tree, for tests about cells.

``depends_on`` finds the cells whose results depend on some names (a notebook's parameters), ``needed`` adds the
cells those read from, so a test can run a notebook's slice that a reader's files reach, and no more. The analysis
is static: a cell that reads a dependent name makes every name it binds or changes dependent, except the names it
imports (a module or function, not data). It misses a cell that reads a name's earlier value in one statement and
rebinds it in another (``y = f(x)`` then ``x = 2``); a slice that drops a cell another one needs fails at once
(a NameError), so only that case could leave a dependent cell out.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass


@dataclass(frozen=True)
class CellNames:
    binds: frozenset[str]  # assigned, defined, or changed in place (x.a = …, x[i] = …)
    imports: frozenset[str]
    reads: frozenset[str]


def cell_names(source: str) -> CellNames:
    """What one code cell binds, imports and reads from earlier cells (IPython's ``%`` and ``!`` lines left out).

    A name the cell binds itself is its own (a loop variable, a list it fills), unless the cell reads it to bind
    it (``x += 1``, ``x = f(x)``); a function's parameters are its own.
    """
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    binds, imports, loads, own = set(), set(), set(), set()
    reread = set()  # read to be rebound: still a read from an earlier cell
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Name):
            (binds if isinstance(node.ctx, ast.Store) else loads).add(node.id)
        elif isinstance(node, ast.arg):
            own.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            binds.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            imports |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        elif isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, ast.Store):
            base = node.value
            while isinstance(base, (ast.Attribute, ast.Subscript)):
                base = base.value
            if isinstance(base, ast.Name):
                binds.add(base.id)  # changed in place: its value now depends on what the cell read
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            reread.add(node.target.id)
        elif isinstance(node, ast.Assign):
            targets = {
                n.id
                for t in node.targets
                for n in ast.walk(t)
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
            }
            reread |= targets & {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)}
    reads = (loads - binds - imports - own) | reread
    return CellNames(frozenset(binds), frozenset(imports), frozenset(reads))


def depends_on(sources: list[str], names: set[str]) -> set[int]:
    """The cells (by index in ``sources``) that bind ``names`` or whose results depend on them, through other cells
    too."""
    dependent, found = set(names), set()
    for index, source in enumerate(sources):
        cell = cell_names(source)
        if cell.reads & dependent:
            found.add(index)
            dependent |= cell.binds
        elif cell.binds & names:  # the parameters cell, or papermill's cell of injected values
            found.add(index)
            dependent |= cell.binds & names
        else:
            dependent -= cell.binds | cell.imports  # rebound from other data: no longer dependent
    return found


def needed(sources: list[str], keep: set[int]) -> set[int]:
    """``keep`` and every earlier cell that binds or imports a name a kept cell reads, transitively."""
    kept = set(keep)
    for index in sorted(keep, reverse=True):
        wanted = set(cell_names(sources[index]).reads)
        for earlier in range(index - 1, -1, -1):
            cell = cell_names(sources[earlier])
            if (cell.binds | cell.imports) & wanted:
                kept.add(earlier)
                wanted |= cell.reads
    return kept
