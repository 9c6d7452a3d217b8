"""Keras models for IMDB sentiment, behind the scikit-learn estimator contract.

``KerasTextClassifier(model="lstm")`` with its defaults is the classic Keras
IMDB tutorial's model; the other builders are the variants it suggests.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from neural.bilstm import build_bilstm  # noqa: E402
from neural.cnn import build_cnn  # noqa: E402
from neural.configs import NEURAL_MODELS, make_neural  # noqa: E402
from neural.embeddings import embedding_matrix, read_vectors, train_word2vec  # noqa: E402
from neural.estimator import KerasTextClassifier  # noqa: E402
from neural.fasttext import build_fasttext  # noqa: E402
from neural.gru import build_gru  # noqa: E402
from neural.lstm import build_lstm  # noqa: E402
from neural.plots import plot_history  # noqa: E402
from neural.registry import BUILDERS  # noqa: E402

__all__ = [
    "BUILDERS",
    "KerasTextClassifier",
    "NEURAL_MODELS",
    "build_bilstm",
    "build_cnn",
    "build_fasttext",
    "build_gru",
    "build_lstm",
    "embedding_matrix",
    "make_neural",
    "plot_history",
    "read_vectors",
    "train_word2vec",
]
