"""The figures the model answers quote are what ``solutions/answers.py`` computes (facts: the same on every CPU)."""

import importlib.util
import json

import pytest

from tone_helpers import paths

pytestmark = pytest.mark.slow  # builds AST base three times


def test_the_stored_answers_are_recomputed_exactly():
    spec = importlib.util.spec_from_file_location("answers", paths.REPO_ROOT / "solutions" / "answers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    stored = json.loads((paths.REPO_ROOT / "solutions" / "answers.json").read_text(encoding="utf-8"))
    assert module.answers() == stored
