"""The one declaration of every named model: what it is, how it is built, its defaults, grid and capabilities.

Adding a model is one :class:`ModelSpec` in :data:`CATALOG` (and its estimator, in
:mod:`baselines` or :mod:`neural`); ``--list-models``, ``--set``, ``--tune``, ``--help``,
the Spark engine, exports, serving and the Python API all read it (``docs/adding-a-model.md``).

A setting's default is written once: a baseline's in its factory's signature
(``make_nbsvm(C=1.0)``), a neural model's in :class:`neural.KerasTextClassifier`'s
signature (the tutorial's values) plus the few a named variant changes, given here
as ``settings``. Grids use the names ``--set`` takes.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CATALOG", "DEFAULT_MODELS", "ModelSpec", "spec"]

_KINDS = ("baseline", "ensemble", "neural", "stack", "custom")


@dataclass(frozen=True)
class ModelSpec:
    """One named model of the catalogue."""

    name: str  # the name --models, --set and saved models use
    description: str  # one line for --list-models and the page
    kind: str  # "baseline" (one linear pipeline), "ensemble" (stacked baselines), "neural" (Keras), "stack" (named
    # models stacked on the validation split) or "custom"
    factory: str | Any  # "module:callable" building the unfitted estimator from keyword settings; a custom
    # entry's is a callable without arguments
    settings: dict[str, Any] = field(default_factory=dict)  # what this name changes from the factory's defaults
    grid: dict[str, list] | None = None  # --tune's grid, in --set names; None: no grid (see no_grid)
    no_grid: str = ""  # why a model without a grid has none
    engines: tuple[str, ...] = ("local",)  # where it runs: "local", "spark", "chunked"
    exports: tuple[str, ...] = ("onnx",)  # imdb-export formats: "onnx", "savedmodel"
    needs_unlabelled: bool = False  # learns from the unlabelled texts the run provides (IMDB's train/unsup)
    uses_seed: bool = True  # its result depends on the seed (initial weights, liblinear's shuffling)
    probabilities: str = "calibrated"  # "own" (predict_proba), or "calibrated" (a sigmoid fitted on validation)
    extra: str = ""  # the pip extra its estimator needs ("neural", "word2vec"), "" for the core

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"{self.name}: kind must be one of {_KINDS}, not {self.kind!r}")
        if (self.grid is None) == (not self.no_grid):
            raise ValueError(f"{self.name}: give a grid, or say in no_grid why it has none")

    @property
    def is_neural(self) -> bool:
        """Whether it is a Keras model (it takes validation data and epochs)."""
        return self.kind == "neural"

    @property
    def takes_validation(self) -> bool:
        """Whether its fit takes the run's validation texts (``validation_data``): a Keras model early-stops on
        them, a stack fits its stacker on them."""
        return self.kind in ("neural", "stack")

    @property
    def is_custom(self) -> bool:
        """Whether it is the user's own estimator (:func:`add_estimator`), not one of the catalogue."""
        return self.kind == "custom"

    def build_function(self):
        """The factory named by :attr:`factory` (imports its module, e.g. TensorFlow for a neural model)."""
        if callable(self.factory):
            return self.factory
        module, _, attribute = self.factory.partition(":")
        return getattr(importlib.import_module(module), attribute)


_KERAS = "neural.estimator:KerasTextClassifier"
_NEURAL_GRID = {"learning_rate": [1e-3, 3e-3], "maxlen": [200, 400]}
# The baselines' grids: the main settings of Wang & Manning's per-data-set choices (n-gram range, C, beta, loss)
# and min_df, each default among them. Searched automatically where cheap (run.tuning.automatic_refusal);
# on SST-5's and TREC's training sentences a search takes 5 to 40 s here (benchmarks/self_tuning.py).
_N_GRAMS = [(1, 1), (1, 2), (1, 3)]
# fastText after the Keras example imdb_fasttext.py (20k words, dim 50). Chosen on the validation split:
# maxlen 800 keeps the bigram ids appended after long reviews (maxlen 400: val 0.906, 800: 0.914), Adam at
# 3e-3 converges in 3-4 epochs (val 0.918); bigrams seen once are dropped (keeping them: val 0.917 at three
# times the training time). Every variant shortens maxlen to the 99th percentile of the training sequences'
# lengths when that is shorter (on IMDB it never is), so short sentences are not padded to hundreds of ids.
_FASTTEXT = {"model": "fasttext", "num_words": 20_000, "maxlen": 800, "maxlen_quantile": 0.99, "embedding_dim": 50,
             "ngram": 2, "ngram_min_count": 2, "learning_rate": 3e-3, "epochs": 5, "batch_size": 64,
             "early_stopping": True, "patience": 1}
_FASTTEXT_GRID = {"learning_rate": [1e-3, 3e-3], "maxlen": [400, 800]}
_NEURAL = {"kind": "neural", "factory": _KERAS, "exports": ("onnx", "savedmodel"), "probabilities": "own",
           "extra": "neural"}

#: Every named model, in the order --list-models shows them: the baselines, then the neural models.
CATALOG: dict[str, ModelSpec] = {s.name: s for s in (
    ModelSpec("naive_bayes", "Multinomial Naive Bayes over binarized n-gram counts.", "baseline",
              "baselines.naive_bayes:make_naive_bayes",
              grid={"ngram_range": _N_GRAMS, "alpha": [0.1, 0.3, 1.0]},
              engines=("local", "spark", "chunked"), uses_seed=False, probabilities="own"),
    ModelSpec("linear_svm", "Linear SVM (liblinear) over TF-IDF n-grams.", "baseline",
              "baselines.svm:make_linear_svm",
              grid={"ngram_range": _N_GRAMS, "C": [0.1, 0.3, 1.0, 3.0, 10.0], "min_df": [1, 2]},
              engines=("local", "spark", "chunked")),
    ModelSpec("nbsvm", "NBSVM over raw review texts (Wang & Manning, 2012): an SVM on NB-scaled n-grams.",
              "baseline", "baselines.nbsvm:make_nbsvm",
              grid={"ngram_range": _N_GRAMS, "C": [0.1, 0.3, 1.0], "beta": [0.25, 0.5, 1.0],
                    "loss": ["svm", "logistic"], "min_df": [1, 2]},
              engines=("local", "spark", "chunked")),
    ModelSpec("ensemble", "Stacked NBSVM and linear SVM over the whole review and NBSVM over its ending.",
              "ensemble", "baselines.ensemble:make_ensemble",
              grid={"span": [50, 100], "final_C": [0.1, 1.0]}, exports=(), probabilities="own"),
    # The classic Keras IMDB tutorial, unchanged: 10k words, maxlen 200 post, 5 epochs of 64.
    ModelSpec("lstm", "The classic Keras IMDB tutorial's LSTM, unchanged (post-padding, no masking).",
              settings={"model": "lstm"}, grid=_NEURAL_GRID, **_NEURAL),
    ModelSpec("bilstm", "Bidirectional LSTM, padding masked, best epoch restored by validation loss.",
              settings={"model": "bilstm", "maxlen_quantile": 0.99, "epochs": 4, "early_stopping": True,
                        "patience": 1}, grid=_NEURAL_GRID, **_NEURAL),
    ModelSpec("gru", "GRU, padding masked, best epoch restored by validation loss.",
              settings={"model": "gru", "maxlen_quantile": 0.99, "epochs": 4, "early_stopping": True,
                        "patience": 1}, grid=_NEURAL_GRID, **_NEURAL),
    ModelSpec("cnn", "Conv1D over word vectors with global max pooling.",
              settings={"model": "cnn", "num_words": 20_000, "maxlen": 400, "maxlen_quantile": 0.99, "epochs": 3,
                        "early_stopping": True, "patience": 1}, grid=_NEURAL_GRID, **_NEURAL),
    ModelSpec("fasttext", "fastText with bigrams: the average of word and bigram embeddings (Joulin et al., 2016).",
              settings=_FASTTEXT, grid=_FASTTEXT_GRID, **_NEURAL),
    # Trigrams too. Chosen on the validation split (IMDB, seed 0): best validation loss 0.2218 and accuracy
    # 0.9208, against 0.2249 and 0.9156 with bigrams alone; it trains in about 140 s here.
    ModelSpec("fasttext_trigrams", "fastText with bigrams and trigrams (chosen over bigrams alone on the "
              "validation split).", settings={**_FASTTEXT, "ngram": 3}, grid=_FASTTEXT_GRID, **_NEURAL),
    # Johnson & Zhang's bow-CNN: 3-word regions of a 500-map embedding, max-pooled; 30k words, maxlen 400.
    ModelSpec("region_cnn", "Region-embedding CNN (Johnson & Zhang, 2015): each 3-word region's embedding summed "
              "from one table of 500 maps, a ReLU, global max-pooling.",
              settings={"model": "region_cnn", "num_words": 30_000, "maxlen": 400, "maxlen_quantile": 0.99,
                        "epochs": 4, "early_stopping": True, "patience": 1}, grid=_NEURAL_GRID, **_NEURAL),
    # The same CNN reading, at each position, a frozen embedding of the 5-word region around it, learned from the
    # unlabelled reviews and the training split (Johnson & Zhang's semi-supervised CNN, NIPS 2015). Chosen on IMDB's
    # validation split (seed 0): up to 8 epochs (with the earlier region embedding the 4th still lowered validation
    # loss) and a long review's last 400 words rather than its first (validation loss 0.2413 against 0.2445); with
    # the embedding learned at rate 3e-3 (neural.region_pretraining) the 4th epoch is kept (loss 0.2330).
    ModelSpec("region_cnn_unlabelled", "Region-embedding CNN that also reads region embeddings learned from the "
              "50,000 unlabelled reviews and the training split (Johnson & Zhang, 2015; IMDB only).",
              settings={"model": "region_cnn", "num_words": 30_000, "maxlen": 400, "maxlen_quantile": 0.99,
                        "truncating": "pre", "epochs": 8, "early_stopping": True, "patience": 1,
                        "region_embeddings": "unlabelled"},
              grid=_NEURAL_GRID, needs_unlabelled=True, **_NEURAL),
    # The ensemble and the best neural model, each fitted once, stacked on their validation scores; both are then
    # fitted again on the training and validation texts (the CNN for the epochs it kept), since a tenth more
    # training reviews gains NBSVM 0.09 points (standard error 0.06) and the CNN 0.32 (0.20) by 5-fold
    # cross-validation on IMDB's training reviews (benchmarks/more_training_texts.py). On IMDB's test set the
    # refitted CNN scores 0.9122 against 0.9108 and the stack 0.9250 against 0.9251 (benchmarks/region_cnn.py).
    ModelSpec("ensemble_region_cnn", "The ensemble and region_cnn_unlabelled, stacked by a logistic regression on "
              "their validation scores, both then refitted on training and validation texts (IMDB only; "
              "the longest fit: 20 to 30 minutes on IMDB with 2 cores, about a quarter of it learning the region "
              "embedding once per seed; about 2 minutes on one H200 GPU with Keras on JAX, the embedding learned "
              "before).",
              "stack", "imdb_baselines.catalog.stacking:ValidationStack",
              settings={"refit": True, "refit_neural": True},
              no_grid="a candidate would refit its Keras member; its members take their own entries' settings",
              exports=(), needs_unlabelled=True, probabilities="own", extra="neural"),
    # Word embeddings started from word2vec vectors learned on the unlabelled reviews and the training split.
    ModelSpec("fasttext_w2v", "fastText with bigrams, word embeddings started from word2vec learned on the 50,000 "
              "unlabelled reviews and the training split (IMDB only).",
              settings={**_FASTTEXT, "embeddings": "word2vec:unlabelled"}, grid=_FASTTEXT_GRID,
              needs_unlabelled=True, **{**_NEURAL, "extra": "neural,word2vec"}),
)}

#: The default comparison: the three baselines and the tutorial's LSTM.
DEFAULT_MODELS = ("naive_bayes", "linear_svm", "nbsvm", "lstm")


def spec(name: str) -> ModelSpec:
    """The catalogue's entry for ``name``.

    Raises
    ------
    ValueError
        If no model has that name; the message lists the names.
    """
    try:
        return CATALOG[name] if name in CATALOG else CUSTOM_ENTRIES[name]
    except KeyError:
        raise ValueError(f"Unknown model {name!r}. Choose from: {', '.join(CATALOG)}.") from None


#: The user's own estimators of this process, by name (:func:`add_estimator`); not part of :data:`CATALOG`.
CUSTOM_ENTRIES: dict[str, ModelSpec] = {}
