"""Turn raw series, tables and texts into arrays for an LSTM, and back.

NumPy, pandas and scikit-learn only: scaling, encoding, padding, framing,
differencing, time-ordered splits and input checks. Every fitted transformer
saves to and loads from plain JSON (``to_dict`` / ``from_dict``).
"""

from lstmkit.data._differencing import Differencer, difference, inverse_difference
from lstmkit.data._encoding import LabelEncoder, OneHotEncoder
from lstmkit.data._files import FileOptions, load_data, read_table
from lstmkit.data._framing import from_channels_first, series_to_supervised, to_samples
from lstmkit.data._gap_windows import Gap, GapReport, find_gaps, window_starts, windows
from lstmkit.data._missing import (
    DropGaps,
    FillReport,
    InterpolateGaps,
    MaskGaps,
    SeasonalFill,
    gap_policy,
)
from lstmkit.data._missing_json import gap_policy_from_dict
from lstmkit.data._offline_impute import impute_offline_from_neighbouring_seasons
from lstmkit.data._padding import pad_sequences
from lstmkit.data._registry import transformer_from_dict
from lstmkit.data._scaling import MinMaxScaler, StandardScaler
from lstmkit.data._splits import time_split
from lstmkit.data._text import TextEncoder
from lstmkit.data._time_csv import read_time_series_csv
from lstmkit.data._time_index import (
    TimeIndex,
    check_time_index,
    resample_series,
)
from lstmkit.data._validation import check_3d, check_finite
from lstmkit.data._warnings import DataWarning, OutOfRangeWarning

__all__ = [
    "DropGaps",
    "FillReport",
    "Gap",
    "GapReport",
    "InterpolateGaps",
    "MaskGaps",
    "SeasonalFill",
    "TimeIndex",
    "check_time_index",
    "find_gaps",
    "gap_policy",
    "gap_policy_from_dict",
    "impute_offline_from_neighbouring_seasons",
    "read_time_series_csv",
    "resample_series",
    "window_starts",
    "windows",
    "DataWarning",
    "Differencer",
    "FileOptions",
    "LabelEncoder",
    "MinMaxScaler",
    "OneHotEncoder",
    "OutOfRangeWarning",
    "StandardScaler",
    "TextEncoder",
    "check_3d",
    "check_finite",
    "difference",
    "from_channels_first",
    "inverse_difference",
    "load_data",
    "pad_sequences",
    "read_table",
    "series_to_supervised",
    "time_split",
    "to_samples",
    "transformer_from_dict",
]
