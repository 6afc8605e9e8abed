"""What a model's graph holds: its operators and how many of each, before and after a quantizer rewrote it
(for an ONNX file, ``onnx_backend.op_counts``).

Taught in: 06 · Quantize with Intel Neural Compressor, § Step 2: Quantize once, by hand.
"""

from __future__ import annotations

from collections import Counter


def fx_op_counts(graph_module) -> dict[str, int]:
    """Operator → calls in an exported or converted PyTorch graph (``call_function`` nodes, by short name)."""
    names = Counter()
    for node in graph_module.graph.nodes:
        if node.op == "call_function":
            target = getattr(node.target, "__name__", str(node.target))
            names[target.split(".")[0]] += 1  # "linear.default" -> "linear"
    return dict(names.most_common())


def changed_ops(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    """The operators whose count a rewrite changed: name → (before, after), largest change first."""
    names = set(before) | set(after)
    changed = {n: (before.get(n, 0), after.get(n, 0)) for n in names if before.get(n, 0) != after.get(n, 0)}
    # ties by name: a set's order changes from one process to the next (hash randomization)
    return dict(sorted(changed.items(), key=lambda kv: (-abs(kv[1][1] - kv[1][0]), kv[0])))
