"""The addition recipe: both decoders learn to add, the demo prints the book's lines.

The full recipe (1,000 sums, 20 epochs) reaches exact match 1.0 with both decoders on
seeds 1-10; these tests run a cut-down version (240 sums, batches of 16) whose exact
match, on seeds 0-9, ranged 0.64-0.84 (repeat) and 0.66-0.95 (teacher), against a
most-frequent-sum baseline near 0.1.
"""

import re
from collections import Counter

import numpy as np
import pytest

import lstmkit
from lstmkit.errors import ConfigError
from lstmkit.problems import addition
from lstmkit.problems._addition_runs import scaled_train_size, scaling, scaling_table

pytestmark = pytest.mark.usefixtures("one_torch_thread")

CUT_DOWN = addition.QUICK_SETTINGS
TINY = {"train_size": 40, "test_size": 20, "epochs": 1}
BOOK_LINE = re.compile(r"^Input=\d+\+\d+, Expected=\d+, Predicted=[0-9+ ]*$")


@pytest.mark.parametrize("decoder", ["repeat", "teacher"])
def test_a_cut_down_recipe_learns_to_add(decoder):
    result = addition.recipe(1, decoder, **CUT_DOWN)
    assert result.skill >= 0.5, result.summary_line()  # seeds 0-9: at least 0.64
    assert result.baseline <= 0.15  # the most frequent of 100 sums: about 1 in 10
    assert result.details["character accuracy"] >= result.skill  # an exact match is all right


def test_the_books_model_is_built():
    result = addition.recipe(1, "repeat", **TINY)
    rows = result.model.module_.layer_summary()
    # LSTM(75) -> RepeatVector(2) -> LSTM(50) -> TimeDistributed(Dense): by hand,
    # 4 * 75 * (12 + 75 + 2) = 26,700 and 4 * 50 * (75 + 50 + 2) = 25,400 (two biases each)
    assert [row[2] for row in rows[:3]] == [26_700, 0, 25_400]
    assert rows[1][1] == "(None, 2, 75)"
    teacher = addition.recipe(1, "teacher", **TINY).model.module_
    assert teacher.config.decoder == "teacher" and teacher.config.units == [75]


def test_baseline_and_details_worked_out_from_the_strings():
    result = addition.recipe(3, "repeat", **TINY)
    train_inputs, train_outputs = addition.make_strings(40, 2, 10, random_state=3)
    test_inputs, test_outputs = addition.make_strings(20, 2, 10, random_state=1003)
    counts = Counter(train_outputs)
    top = max(counts.values())
    # ties: any of the most frequent sums may be the answer; the share must match one
    tied = [answer for answer, count in counts.items() if count == top]
    shares = [np.mean([output == answer for output in test_outputs]) for answer in tied]
    assert any(abs(result.baseline - share) <= 1e-12 for share in shares)
    unseen = np.mean([text not in set(train_inputs) for text in test_inputs])
    assert abs(result.details["unseen share"] - unseen) <= 1e-12
    assert [example[:2] for example in result.details["examples"]] == list(
        zip(test_inputs[:5], test_outputs[:5])
    )
    assert result.metric == "exact match" and result.higher_is_better and result.epochs == 1


def test_unknown_decoder_names_the_choices():
    message = (
        "unknown decoder 'repaet': expected one of 'repeat', 'teacher'. Did you mean 'repeat'?"
    )
    with pytest.raises(ConfigError, match=re.escape(message)):
        addition.recipe(decoder="repaet")


def test_book_line_drops_the_padding():
    assert addition.book_line(" 10+6", "16", "16") == "Input=10+6, Expected=16, Predicted=16"
    assert addition.book_line("  2+3", " 5", "15") == "Input=2+3, Expected=5, Predicted=15"
    assert BOOK_LINE.match(addition.book_line("  9+1", "10", " 9"))


def test_demo_prints_both_decoders_and_fails_below_the_bar(capsys, tmp_path):
    path = tmp_path / "addition.safetensors"
    assert addition.demo(output=path, **TINY) == 1  # one epoch on 40 sums cannot add
    lines = capsys.readouterr().out.splitlines()
    book_lines = [line for line in lines if line.startswith("Input=")]
    assert len(book_lines) == 10 and all(BOOK_LINE.match(line) for line in book_lines)
    summaries = [line for line in lines if line.startswith("addition (")]
    assert len(summaries) == 2
    assert summaries[0].startswith("addition (encoder_decoder, repeat decoder): exact match ")
    assert summaries[1].startswith("addition (encoder_decoder, teacher decoder): exact match ")
    assert lines[-1].startswith("FAILED: the repeat decoder's exact match ")
    assert lines[-1].endswith("below 0.95")
    X, _ = addition.make(3, random_state=0)
    assert lstmkit.load_model(path).predict(X).shape == (3, 2)


def test_scaled_budget_worked_by_hand():
    # 1,000 sums for 5 characters in and 2 out; 3 terms up to 10: 8 in, 2 out -> 1,600;
    # 2 terms up to 1000: "1000+1000" is 9 in, the sum up to 2000 is 4 out -> 3,600
    assert scaled_train_size(2, 10) == 1000
    assert scaled_train_size(3, 10) == 1600
    assert scaled_train_size(4, 10) == 2200
    assert scaled_train_size(2, 100) == 2100
    assert scaled_train_size(2, 1000) == 3600


def test_scaling_rows_and_table():
    rows = scaling(settings=[(3, 10)], decoders=["teacher"], **TINY)
    assert len(rows) == 1
    row = rows[0]
    assert (row["n_terms"], row["largest"], row["in_len"], row["out_len"]) == (3, 10, 8, 2)
    assert (row["train_size"], row["decoder"], row["epochs"]) == (40, "teacher", 1)
    lines = scaling_table(rows).splitlines()
    assert len(lines) == 3 and lines[2].startswith("| 3 | 10 | 8 | 2 | 40 | 1 | teacher | ")
