"""Streams laid out in lanes: positions, resets, padding, order, and the errors."""

import numpy as np
import pytest
import torch

from lstmkit.errors import ConfigError, DataError, ShapeError
from lstmkit.training import lay_out_streams

LENGTHS = [7, 4, 9, 5, 3]


def numbered_streams(lengths, features=2):
    """Stream i's step t holds (i, t) in its features: every step is recognisable."""
    return [
        torch.stack([torch.full((n,), float(i)), torch.arange(n, dtype=torch.float32)], dim=1)[
            :, :features
        ]
        for i, n in enumerate(lengths)
    ]


def test_the_module_diagram():
    layout = lay_out_streams(numbered_streams(LENGTHS), num_lanes=3, chunk_size=2)
    placements = [(p.stream, p.lane, p.start, p.length) for p in layout.placements]
    assert placements == [(0, 0, 0, 7), (1, 1, 0, 4), (2, 2, 0, 9), (3, 1, 4, 5), (4, 0, 8, 3)]
    assert layout.steps == 11 and layout.num_chunks == 6  # the layout ends with lane 0's E
    expected = torch.zeros(3, 6, dtype=torch.bool)
    expected[[0, 1, 2, 1, 0], [0, 0, 0, 2, 4]] = True
    assert torch.equal(layout.resets, expected)
    assert layout.reset_edges() == [0, 4, 8]
    assert layout.padding_share == pytest.approx(1 - sum(LENGTHS) / 33, abs=1e-15)


@pytest.mark.parametrize("num_lanes", [1, 2, 3, 4, 7, 12])
@pytest.mark.parametrize("chunk_size", [1, 3, 5])
def test_every_step_is_at_its_place_and_the_rest_is_masked(num_lanes, chunk_size):
    lengths = [11, 3, 8, 1, 6, 6, 9, 2, 5, 4]
    streams = numbered_streams(lengths)
    targets = [stream[:, 1] * 10 + stream[:, 0] for stream in streams]
    layout = lay_out_streams(streams, targets, num_lanes=num_lanes, chunk_size=chunk_size)

    real = torch.zeros(num_lanes, layout.steps, dtype=torch.bool)
    for placement, stream, target in zip(layout.placements, streams, targets):
        assert placement.start % chunk_size == 0  # resets fall on chunk edges
        assert torch.equal(layout.x[placement.lane, placement.start : placement.end], stream)
        assert torch.equal(layout.y[placement.lane, placement.start : placement.end], target)
        assert not real[placement.lane, placement.start : placement.end].any()  # no overlap
        real[placement.lane, placement.start : placement.end] = True
    assert all(torch.equal(a, b) for a, b in zip(layout.streams_of(layout.x), streams))
    assert (layout.x[~real] == 0).all() and torch.isnan(layout.y[~real]).all()
    assert layout.valid_counts.tolist() == real.sum(0).tolist()
    assert layout.padding_share == pytest.approx(1 - sum(lengths) / real.numel(), abs=1e-15)
    assert layout.steps == max(p.end for p in layout.placements)
    assert layout.resets.shape == (num_lanes, -(-layout.steps // chunk_size))
    assert int(layout.resets.sum()) == len(lengths)


@pytest.mark.parametrize("num_lanes", [1, 2, 3, 5])
def test_each_stream_goes_to_the_shortest_lane(num_lanes):
    lengths, chunk_size = [11, 3, 8, 1, 6, 6, 9, 2, 5, 4], 4
    layout = lay_out_streams(numbered_streams(lengths), num_lanes=num_lanes, chunk_size=chunk_size)
    filled = [0] * num_lanes  # the same rule, written out: lowest lane on ties
    for placement, length in zip(layout.placements, lengths):
        lane = filled.index(min(filled))
        assert (placement.lane, placement.start) == (lane, filled[lane])
        filled[lane] += -(-length // chunk_size) * chunk_size


def test_more_lanes_than_streams_leaves_masked_lanes():
    layout = lay_out_streams(
        numbered_streams([5, 3]), [torch.ones(5), torch.ones(3)], num_lanes=4, chunk_size=2
    )
    assert layout.x.shape == (4, 5, 2)
    assert layout.resets[2:].sum() == 0 and torch.isnan(layout.y[2:]).all()
    assert layout.padding_share == pytest.approx(1 - 8 / 20)


def test_order_permutes_streams_between_lanes_not_steps_within_them():
    streams = numbered_streams(LENGTHS)
    layout = lay_out_streams(streams, num_lanes=2, chunk_size=2, order=[4, 2, 0, 3, 1])
    assert [p.stream for p in layout.placements] == [0, 1, 2, 3, 4]  # original order kept
    assert [(p.lane, p.start) for p in layout.placements] == [
        (0, 4),
        (0, 12),
        (1, 0),
        (1, 10),
        (0, 0),
    ]
    assert all(torch.equal(a, b) for a, b in zip(layout.streams_of(layout.x), streams))


def test_integer_targets_use_minus_one_and_target_columns_are_kept():
    streams = numbered_streams([3, 2])
    labels = lay_out_streams(
        streams, [np.array([0, 2, 1]), np.array([1, -1])], num_lanes=1, chunk_size=2
    )
    assert labels.y.dtype == torch.int64
    assert labels.y.tolist() == [[0, 2, 1, -1, 1, -1]]
    assert labels.valid_counts.tolist() == [1, 1, 1, 0, 1, 0]
    values = lay_out_streams(
        streams, [torch.ones(3, 2), torch.ones(2, 2)], num_lanes=2, chunk_size=2
    )
    assert values.y.shape == (2, 3, 2) and values.valid_counts.tolist() == [4, 4, 2]
    assert not values.complete
    full = lay_out_streams(
        streams, [torch.ones(3, 2), torch.ones(3, 2)[:2]], num_lanes=2, chunk_size=1
    )
    assert not full.complete  # lane 1 runs dry after 2 steps
    assert lay_out_streams(streams[0], torch.ones(3), num_lanes=1, chunk_size=3).complete


def test_single_streams_3d_arrays_and_dtypes():
    one = lay_out_streams(np.ones((5, 3)), num_lanes=1, chunk_size=2)
    assert one.x.shape == (1, 5, 3) and one.x.dtype == torch.float64 and one.y is None
    many = lay_out_streams(np.ones((4, 6, 2), dtype=np.float32), num_lanes=2, chunk_size=3)
    assert many.x.shape == (2, 12, 2) and many.x.dtype == torch.float32
    assert (
        lay_out_streams([np.ones((2, 1), dtype=int)], num_lanes=1, chunk_size=1).x.dtype
        == torch.float32
    )


def test_to_keeps_counts_on_the_host():
    layout = lay_out_streams(numbered_streams([3]), [torch.ones(3)], num_lanes=1, chunk_size=2).to(
        "cpu"
    )
    assert layout.valid_counts.device.type == "cpu" and layout.chunk_size == 2


def test_bad_settings_are_reported_together():
    with pytest.raises(ConfigError) as error:
        lay_out_streams(numbered_streams([3]), num_lanes=0, chunk_size=True)
    assert str(error.value) == (
        "cannot lay out streams: num_lanes must be a positive integer, got 0; "
        "chunk_size must be a positive integer, got True"
    )
    with pytest.raises(
        ConfigError, match=r"order must be a permutation of the stream indices 0\.\.1, got \[0, 0\]"
    ):
        lay_out_streams(numbered_streams([3, 2]), num_lanes=1, chunk_size=2, order=[0, 0])


def test_bad_streams_and_targets_are_reported_together():
    streams = [torch.ones(4, 2), torch.ones(4), torch.ones(0, 2), torch.ones(3, 5)]
    with pytest.raises(ShapeError) as error:
        lay_out_streams(streams, num_lanes=2, chunk_size=2)
    assert str(error.value) == (
        "cannot lay out streams: stream 1 must be 2-D (time, features), got (4,); "
        "stream 2 has no steps; stream 3 has 5 features, stream 0 has 2"
    )
    streams = numbered_streams([3, 2])
    with pytest.raises(ShapeError, match=r"got 2 streams but 1 target arrays \(one per stream\)"):
        lay_out_streams(streams, [torch.ones(3)], num_lanes=1, chunk_size=2)
    with pytest.raises(ShapeError) as error:
        lay_out_streams(streams, [torch.ones(3), torch.ones(4)], num_lanes=1, chunk_size=2)
    assert "targets of stream 1 have 4 steps but the stream has 2 (align them step by step" in str(
        error.value
    )
    with pytest.raises(
        ShapeError, match=r"targets of stream 1 must be \(time,\) or \(time, targets\)"
    ):
        lay_out_streams(streams, [torch.ones(3), torch.ones(2, 2)], num_lanes=1, chunk_size=2)
    with pytest.raises(DataError, match="no streams to lay out"):
        lay_out_streams([], num_lanes=1, chunk_size=2)
