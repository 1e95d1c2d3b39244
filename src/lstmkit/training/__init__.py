"""The engine: batch layouts, the loop, losses, metrics, history and callbacks."""

from lstmkit.training._callbacks import Callback, EarlyStopping, LearningRateScheduler
from lstmkit.training._history import History
from lstmkit.training._lanes import LaneLayout, StreamPlacement, lay_out_streams
from lstmkit.training._loggers import MLflowLogger, TensorBoardLogger
from lstmkit.training._loop import TrainConfig, Trainer
from lstmkit.training._losses import DEFAULT_QUANTILES, LOSSES, Loss, check_quantiles
from lstmkit.training._metrics import METRICS, MetricAccumulator, canonical_metric_name
from lstmkit.training._optimizers import OPTIMIZERS, make_optimizer
from lstmkit.training._streams import StreamData, stream_end_states
from lstmkit.training._tbptt import (
    TBPTT,
    StreamPrediction,
    TBPTTEpoch,
    Update,
    evaluate_stream,
    predict_stream,
    run_tbptt_epoch,
)
from lstmkit.training._windows import WindowData, batch_indices

__all__ = [
    "DEFAULT_QUANTILES",
    "LOSSES",
    "METRICS",
    "OPTIMIZERS",
    "Callback",
    "EarlyStopping",
    "History",
    "LearningRateScheduler",
    "MLflowLogger",
    "TensorBoardLogger",
    "Loss",
    "MetricAccumulator",
    "TrainConfig",
    "StreamData",
    "Trainer",
    "WindowData",
    "batch_indices",
    "canonical_metric_name",
    "check_quantiles",
    "make_optimizer",
    "stream_end_states",
    "TBPTT",
    "LaneLayout",
    "StreamPlacement",
    "StreamPrediction",
    "TBPTTEpoch",
    "Update",
    "evaluate_stream",
    "lay_out_streams",
    "predict_stream",
    "run_tbptt_epoch",
]
