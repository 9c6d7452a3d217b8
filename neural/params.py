"""Parameter checks of :class:`neural.KerasTextClassifier`, with scikit-learn's message template."""

from __future__ import annotations

import inspect
from numbers import Integral, Real

from imdb_baselines.corpus.validation import check_class_weight
from neural.pretraining import UNLABELLED_REGIONS
from neural.registry import BUILDERS

__all__ = ["BUILDER_SETTINGS", "MAXIMA", "check_params"]

#: Settings of some builders only, as estimator parameters (None: the builder's default), with their kind.
BUILDER_SETTINGS = {"units": "int", "dense_units": "int", "filters": "int", "kernel_size": "int",
                    "recurrent_dropout": "rate", "lstm_dropout": "rate", "region_sizes": "sizes"}

_INTS = {"num_words": 4, "maxlen": 1, "embedding_dim": 1, "ngram": 1, "ngram_min_count": 1,
         "epochs": 1, "batch_size": 1, "patience": 0}
#: Upper bounds past which a setting is a typo, not an experiment (each would exhaust memory or time).
MAXIMA = {"num_words": 10_000_000, "maxlen": 100_000, "embedding_dim": 10_000, "ngram": 5, "epochs": 10_000,
          "batch_size": 1_000_000, "units": 100_000, "dense_units": 100_000, "filters": 100_000,
          "kernel_size": 1_000, "region_sizes": 1_000}


def _fail(estimator, name: str, expected: str) -> None:
    raise ValueError(
        f"The '{name}' parameter of {type(estimator).__name__} must be {expected}. "
        f"Got {getattr(estimator, name)!r} instead."
    )


def check_params(estimator) -> None:
    """Raise ValueError naming the first invalid parameter of ``estimator``."""
    if estimator.model not in BUILDERS:
        _fail(estimator, "model", f"one of {sorted(BUILDERS)}")
    for name, low in _INTS.items():
        value = getattr(estimator, name)
        high = MAXIMA.get(name)
        if isinstance(value, bool) or not isinstance(value, Integral) or value < low or (high and value > high):
            _fail(estimator, name, f"an int in [{low}, {high:,}]" if high else f"an int >= {low}")
    for name in ("padding", "truncating"):
        if getattr(estimator, name) not in ("pre", "post"):
            _fail(estimator, name, "'pre' or 'post'")
    for name, allow_none in (("dropout", True), ("l2", False), ("learning_rate", False)):
        value = getattr(estimator, name)
        if value is None and allow_none:
            continue
        upper_ok = name != "dropout" or value < 1
        if isinstance(value, bool) or not isinstance(value, Real) or not 0 <= value < float("inf") or not upper_ok:
            _fail(estimator, name, "a float in [0, 1)" if name == "dropout" else "a float >= 0")
    builder = inspect.signature(BUILDERS[estimator.model]).parameters
    for name, kind in BUILDER_SETTINGS.items():
        value = getattr(estimator, name)
        if value is None:
            continue
        if name not in builder:
            users = sorted(m for m, build in BUILDERS.items() if name in inspect.signature(build).parameters)
            _fail(estimator, name, f"None for model={estimator.model!r} (it is a setting of {', '.join(users)})")
        if kind == "int" and (isinstance(value, bool) or not isinstance(value, Integral) or not
                              1 <= value <= MAXIMA[name]):
            _fail(estimator, name, f"an int in [1, {MAXIMA[name]:,}] or None")
        if kind == "sizes" and (not isinstance(value, (tuple, list)) or not value
                                or any(isinstance(v, bool) or not isinstance(v, Integral) or not 1 <= v <= MAXIMA[name]
                                       for v in value) or len(set(value)) < len(value)):
            _fail(estimator, name, f"a tuple of different ints in [1, {MAXIMA[name]:,}] or None")
        if kind == "rate" and (isinstance(value, bool) or not isinstance(value, Real) or not 0 <= value < 1):
            _fail(estimator, name, "a float in [0, 1) or None")
    if not estimator.learning_rate:
        _fail(estimator, "learning_rate", "a float > 0")
    quantile = estimator.maxlen_quantile
    if quantile is not None and (isinstance(quantile, bool) or not isinstance(quantile, Real) or not 0 < quantile <= 1):
        _fail(estimator, "maxlen_quantile", "a float in (0, 1] or None")
    size = estimator.validation_size
    if isinstance(size, bool) or not isinstance(size, Real) or not 0 <= size < 1:
        _fail(estimator, "validation_size", "a float in [0, 1)")
    if estimator.verbose not in ("auto", 0, 1, 2, "log"):
        _fail(estimator, "verbose", "'auto', 0, 1, 2 or 'log'")
    if getattr(estimator, "region_embeddings", None) is not None and "region_vectors" not in builder:
        _fail(estimator, "region_embeddings", f"None for model={estimator.model!r} (it is a setting of region_cnn)")
    sizes = getattr(estimator, "region_sizes", None)
    if sizes is not None and estimator.region_embeddings is None:
        _fail(estimator, "region_sizes", "None without region_embeddings (the sizes of its regions)")
    if sizes is not None and len(sizes) > 1 and estimator.region_embeddings != UNLABELLED_REGIONS:
        _fail(estimator, "region_sizes", "one size for a region embedding read from a file (one file, one size)")
    check_class_weight(getattr(estimator, "class_weight", None), type(estimator).__name__)
