"""The examples of docs/guide/time-and-state.md run as written."""

import doctest
from pathlib import Path

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guide" / "time-and-state.md"


def test_time_and_state_guide_runs_as_written():
    result = doctest.testfile(
        str(GUIDE),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert result.attempted >= 15 and result.failed == 0
