"""The examples of the model-suite guides run as written.

Each page's fenced ``python`` blocks run in order in one namespace, as a reader pastes
them into one session; Keras code sits in ``keras`` or ``text`` fences and is not run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lstmkit.models import ARCHITECTURES

pytestmark = pytest.mark.usefixtures("one_torch_thread")

GUIDES = Path(__file__).resolve().parents[2] / "docs" / "guide"
PAGES = [
    "sequence-models.md",
    "stacked-lstm.md",
    "cnn-lstm.md",
    "encoder-decoder-lstm.md",
    "bidirectional-lstm.md",
    "generative-lstm.md",
]
ARCHITECTURE_PAGES = PAGES[1:]
FENCE = re.compile(r"^```(\S*)\n(.*?)^```", re.DOTALL | re.MULTILINE)


def fenced_blocks(page: str) -> list[tuple[str, str]]:
    """``(label, code)`` of every fenced block of ``page``, in order."""
    return FENCE.findall((GUIDES / page).read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", PAGES)
def test_the_python_examples_run_in_order(page, tmp_path, monkeypatch):
    blocks = [code for label, code in fenced_blocks(page) if label == "python"]
    assert blocks, f"{page} has no python examples"
    monkeypatch.chdir(tmp_path)  # the examples save model files
    registered = set(ARCHITECTURES)
    namespace = {"__name__": "guide_" + page.removesuffix(".md").replace("-", "_")}
    try:
        for number, code in enumerate(blocks, start=1):
            exec(compile(code, f"{page}, python block {number}", "exec"), namespace)
    finally:
        for name in set(ARCHITECTURES) - registered:  # names a page registered
            ARCHITECTURES.pop(name)


@pytest.mark.parametrize("page", ARCHITECTURE_PAGES)
def test_each_architecture_page_sets_keras_beside_lstmkit(page):
    labels = [label for label, _ in fenced_blocks(page)]
    assert "keras" in labels and "python" in labels
    for label, code in fenced_blocks(page):
        if label == "python":  # Keras code in a python fence would be run, and fail
            assert "Sequential" not in code and "from keras" not in code, page
