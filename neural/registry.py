"""The Keras builders by name."""

from __future__ import annotations

from neural.bilstm import build_bilstm
from neural.cnn import build_cnn
from neural.fasttext import build_fasttext
from neural.gru import build_gru
from neural.lstm import build_lstm
from neural.region_cnn import build_region_cnn

#: Builder of each model, by the name ``KerasTextClassifier(model=...)`` takes.
BUILDERS = {
    "lstm": build_lstm,
    "bilstm": build_bilstm,
    "gru": build_gru,
    "cnn": build_cnn,
    "fasttext": build_fasttext,
    "region_cnn": build_region_cnn,
}
