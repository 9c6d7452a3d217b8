"""Named neural configurations: the tutorial's model and the variants worth comparing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from neural.estimator import KerasTextClassifier

__all__ = ["NEURAL_DESCRIPTIONS", "NEURAL_MODELS", "make_neural"]

#: Settings of each named model on top of KerasTextClassifier's defaults (the tutorial's). Every variant
#: shortens its maxlen to the 99th percentile of the training sequences' lengths when that is shorter (on
#: IMDB it never is: the lengths below are the caps), so short sentences are not padded to hundreds of ids.
NEURAL_MODELS: dict[str, dict[str, Any]] = {
    # The classic Keras IMDB tutorial, unchanged: 10k words, maxlen 200 post, 5 epochs of 64.
    "lstm": {"model": "lstm"},
    # Bidirectional LSTM, padding masked, best epoch restored by validation loss.
    "bilstm": {"model": "bilstm", "maxlen_quantile": 0.99, "epochs": 4, "early_stopping": True, "patience": 1},
    # GRU, padding masked.
    "gru": {"model": "gru", "maxlen_quantile": 0.99, "epochs": 4, "early_stopping": True, "patience": 1},
    # Conv1D with global max pooling over 400 words.
    "cnn": {"model": "cnn", "num_words": 20_000, "maxlen": 400, "maxlen_quantile": 0.99, "epochs": 3,
            "early_stopping": True, "patience": 1},
    # fastText with bigrams, after the Keras example imdb_fasttext.py (20k words, dim 50). Chosen on the
    # validation set: maxlen 800 keeps the bigram ids appended after long reviews (maxlen 400: val 0.906,
    # 800: 0.914), Adam at 3e-3 converges in 3-4 epochs (val 0.918); bigrams seen once are dropped
    # (keeping them: val 0.917 at three times the training time).
    "fasttext": {"model": "fasttext", "num_words": 20_000, "maxlen": 800, "maxlen_quantile": 0.99,
                 "embedding_dim": 50, "ngram": 2,
                 "ngram_min_count": 2, "learning_rate": 3e-3, "epochs": 5, "batch_size": 64,
                 "early_stopping": True, "patience": 1},
}
# fastText with trigrams too. Chosen on the validation split (IMDB, seed 0): best validation loss 0.2218 and
# accuracy 0.9208, against 0.2249 and 0.9156 with bigrams alone; it trains in about 140 s here.
NEURAL_MODELS["fasttext_trigrams"] = {**NEURAL_MODELS["fasttext"], "ngram": 3}
# fastText as above, its word embeddings started from word2vec vectors learned on the unlabelled reviews and
# the training split (neural.pretraining); IMDB only, the run provides the texts.
NEURAL_MODELS["fasttext_w2v"] = {**NEURAL_MODELS["fasttext"], "embeddings": "word2vec:unlabelled"}


#: One line per named model, for ``compare.py --list-models``.
NEURAL_DESCRIPTIONS: dict[str, str] = {
    "lstm": "The classic Keras IMDB tutorial's LSTM, unchanged (post-padding, no masking).",
    "bilstm": "Bidirectional LSTM, padding masked, best epoch restored by validation loss.",
    "gru": "GRU, padding masked, best epoch restored by validation loss.",
    "cnn": "Conv1D over word vectors with global max pooling.",
    "fasttext": "fastText with bigrams: the average of word and bigram embeddings (Joulin et al., 2016).",
    "fasttext_trigrams": "fastText with bigrams and trigrams (chosen over bigrams alone on the validation split).",
    "fasttext_w2v": "fastText with bigrams, word embeddings started from word2vec learned on the 50,000 "
                    "unlabelled reviews and the training split (IMDB only).",
}


def make_neural(name: str, **overrides: Any) -> KerasTextClassifier:
    """A :class:`KerasTextClassifier` configured as the named model.

    Parameters
    ----------
    name : str
        One of :data:`NEURAL_MODELS`.
    **overrides
        Parameters replacing the named configuration's (e.g. ``epochs=1``).

    Examples
    --------
    >>> make_neural("fasttext", epochs=2).get_params()["ngram"]
    2
    """
    if name not in NEURAL_MODELS:
        raise ValueError(f"Unknown neural model {name!r}; choose one of {sorted(NEURAL_MODELS)}.")
    from neural import KerasTextClassifier

    return KerasTextClassifier(**{**NEURAL_MODELS[name], **overrides})
