"""The bag-of-n-grams baselines as ONNX graphs that take raw text.

Every baseline is linear in its n-gram features: Naive Bayes in presence
(0/1) features, NBSVM in presence features scaled by r (folded into its
weights), the linear SVM in L2-normalised sublinear TF-IDF features. The
graph prepares the text (:mod:`imdb_baselines.exports.text_graph`), turns each n-gram into
its int64 key exactly as :mod:`baselines.ngrams` does (``w1·V^(n-1) + ... +
wn``), finds its column with a ``LabelEncoder``, and sums the weights of the
columns present, in float64. Probabilities follow the saved model: Naive
Bayes' posterior, a plain logistic NBSVM's own (``beta=1``: the logistic
function of its scores), or its margins' scale fitted on the validation split
(the logistic function or the softmax of the scaled scores).

Outputs: ``label`` (the class as a string), ``label_index`` (its position in
the classes), ``scores`` (the model's decision values) and, where the model
has probabilities, ``probabilities`` (N, k).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import onnx
from onnx import TensorProto

from imdb_baselines.exports.graph import GraphBuilder
from imdb_baselines.exports.text_graph import window_keys, word_ids

__all__ = ["LinearParts", "linear_ids_onnx", "linear_onnx", "linear_parts"]


@dataclass
class LinearParts:
    """What the graph needs of a fitted baseline."""

    words: list[str]  # the vectorizer's words; a word's position is its id
    stopwords: list[str]
    tokenizer_version: str
    orders: list[int]  # the n-gram orders, in column order
    keys: list[np.ndarray]  # per order, the sorted int64 keys of its columns
    features: str  # "binary", "count" or "tfidf"
    sublinear_tf: bool
    idf: np.ndarray | None
    normalise: bool  # L2-normalise the feature vector (TF-IDF)
    weights: np.ndarray  # (n_features, n_scores)
    bias: np.ndarray  # (n_scores,)
    head: str  # "joint": the scores are joint log likelihoods (Naive Bayes); "margin": decision values
    calibrators: list[tuple[float, float]] | None  # sigmoid (a, b) of each score column: 1 / (1 + exp(a s + b))
    # (a plain logistic NBSVM's own probabilities: a = -1, b = 0; the margins' fitted scale t with two classes:
    # a = -t, b = 0; a CalibratedClassifierCV saved by version 0.2.0 and earlier: its own a and b)
    scale: float | None  # more than two classes: the probabilities are softmax(scale * scores)
    classes: list


def linear_parts(model) -> LinearParts:
    """The weights, features and probability head of a fitted (possibly calibrated) baseline pipeline."""
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.naive_bayes import MultinomialNB

    from baselines import NBSVMClassifier, NgramVectorizer
    from imdb_baselines.modelfiles import base_model

    base = base_model(model)
    steps = dict(base.steps) if hasattr(base, "steps") else {}
    vectorizer = steps.get("vectorizer")
    classifier = base.steps[-1][1] if steps else None
    if not isinstance(vectorizer, NgramVectorizer):
        raise TypeError(f"{type(base).__name__} is not a bag-of-n-grams baseline pipeline; only those export to "
                        "ONNX this way.")
    if vectorizer.hashed:
        raise ValueError("A model over hashed n-grams (hash_bits) does not export to ONNX: the graph looks n-grams "
                         "up in a vocabulary, and hashing keeps none. Fit it without hash_bits to export it.")
    tfidf = next((s for s in steps.values() if isinstance(s, TfidfTransformer)), None)
    if tfidf is not None and tfidf.norm not in ("l2", None):
        raise ValueError(f"TF-IDF norm {tfidf.norm!r} is not supported in the export (l2 or None).")
    binary = vectorizer.binary or isinstance(classifier, NBSVMClassifier)  # NBSVM binarizes its input itself
    features = "tfidf" if tfidf is not None else "binary" if binary else "count"
    if isinstance(classifier, MultinomialNB):
        weights, bias, head = classifier.feature_log_prob_.T, classifier.class_log_prior_, "joint"
    elif hasattr(classifier, "coef_"):
        weights, bias, head = np.atleast_2d(classifier.coef_).T, np.atleast_1d(classifier.intercept_), "margin"
    else:
        raise TypeError(f"{type(classifier).__name__} is neither Naive Bayes nor a linear model.")
    from imdb_baselines.run.calibration import MarginCalibration

    calibrated = getattr(model, "calibrated_classifiers_", None)
    calibrators, scale = None, None
    if isinstance(model, MarginCalibration) and weights.shape[1] == 1:
        calibrators = [(-model.scale_, 0.0)]
    elif isinstance(model, MarginCalibration):
        scale = model.scale_
    elif calibrated:
        calibrators = [(float(c.a_), float(c.b_)) for c in calibrated[0].calibrators]
    elif isinstance(classifier, NBSVMClassifier) and hasattr(classifier, "predict_proba"):  # 1 / (1 + exp(-s))
        calibrators = [(-1.0, 0.0)] * weights.shape[1]
    lo, hi = vectorizer.ngram_range
    return LinearParts(
        words=vectorizer.words_.tolist(), stopwords=sorted(vectorizer.preprocessor_.stopwords.words),
        tokenizer_version=vectorizer.preprocessor_.tokenizer_version,
        orders=list(range(lo, hi + 1)), keys=[np.asarray(k, dtype=np.int64) for k in vectorizer.keys_],
        features=features, sublinear_tf=bool(tfidf is not None and tfidf.sublinear_tf),
        idf=None if tfidf is None or not tfidf.use_idf else np.asarray(tfidf.idf_, dtype=np.float64),
        normalise=tfidf is not None and tfidf.norm == "l2", weights=np.asarray(weights, dtype=np.float64),
        bias=np.asarray(bias, dtype=np.float64), head=head, calibrators=calibrators, scale=scale,
        classes=[c.item() if hasattr(c, "item") else c for c in model.classes_])


def _columns(g: GraphBuilder, ids: str, parts: LinearParts) -> str:
    """(N, M) int64: the column of every n-gram of every text, -1 where the n-gram has none."""
    n_words = len(parts.words)
    blocks, offset = [], 0
    for n, keys in zip(parts.orders, parts.keys):
        if not len(keys):  # no n-gram of this order was kept (min_df)
            continue
        key, valid = window_keys(g, ids, n, n_words)
        column = g.op("LabelEncoder", key, domain="ai.onnx.ml", keys_int64s=keys.tolist(),
                      values_int64s=list(range(offset, offset + len(keys))), default_int64=-1)
        blocks.append(g.op("Where", valid, column, g.const(-1, "int64")))
        offset += len(keys)
    return g.op("Concat", *blocks, axis=1) if len(blocks) > 1 else blocks[0]


def _feature_values(g: GraphBuilder, columns: str, parts: LinearParts) -> tuple[str, str]:
    """Each text's distinct columns (sorted, the sentinel F for none) and their feature values (N, M)."""
    n_features = int(sum(len(k) for k in parts.keys))
    columns = g.op("Where", g.op("Less", columns, g.const(0, "int64")), g.const(n_features, "int64"), columns)
    width = g.op("Slice", g.op("Shape", columns), g.const([1], "int64"), g.const([2], "int64"))
    ordered, _ = g.op("TopK", columns, width, axis=1, largest=0, sorted=1, outputs=2)
    rows = g.op("Slice", g.op("Shape", columns), g.const([0], "int64"), g.const([1], "int64"))
    before = g.op("Concat", g.op("Expand", g.const([[-1]], "int64"), g.op("Concat", rows, g.const([1], "int64"),
                                                                              axis=0)),
                  g.op("Slice", ordered, g.const([0], "int64"), g.const([-1], "int64"), g.const([1], "int64")),
                  axis=1)
    first = g.op("Not", g.op("Equal", ordered, before))
    present = g.op("And", first, g.op("Not", g.op("Equal", ordered, g.const(n_features, "int64"))))
    present = g.op("Cast", present, to=TensorProto.DOUBLE)
    if parts.features == "binary":
        return ordered, present
    # Occurrences of each distinct column: its run length in the sorted row.
    group = g.op("Sub", g.op("CumSum", g.op("Cast", first, to=TensorProto.INT64), g.const(1, "int64")),
                 g.const(1, "int64"))
    ones = g.op("ConstantOfShape", g.op("Shape", group), value=onnx.helper.make_tensor("v", TensorProto.INT64,
                                                                                        [1], [1]))
    zeros = g.op("Mul", ones, g.const(0, "int64"))
    runs = g.op("ScatterElements", zeros, group, ones, axis=1, reduction="add")
    counts = g.op("Cast", g.op("GatherElements", runs, group, axis=1), to=TensorProto.DOUBLE)
    values = g.op("Add", g.const(1.0), g.op("Log", counts)) if parts.sublinear_tf else counts
    values = g.op("Mul", values, present)
    if parts.idf is not None:
        values = g.op("Mul", values, g.op("Gather", g.const(np.append(parts.idf, 0.0)), ordered))
    if parts.normalise:
        norm = g.op("Sqrt", g.op("ReduceSum", g.op("Mul", values, values), g.const([1], "int64"), keepdims=1))
        norm = g.op("Where", g.op("Equal", norm, g.const(0.0)), g.const(1.0), norm)
        values = g.op("Div", values, norm)
    return ordered, values


def linear_onnx(model, name: str = "model") -> onnx.ModelProto:
    """An ONNX graph of a fitted baseline (or its calibrated wrapper) that takes raw text.

    Parameters
    ----------
    model : estimator
        A baseline pipeline from the registry, as :func:`imdb_baselines.modelfiles.load_model` returns it.
    name : str
        The model's name, kept in the graph's metadata.

    Returns
    -------
    onnx.ModelProto
        Input ``text`` (N,) strings; outputs ``label``, ``label_index``, ``scores`` and (where the model has
        probabilities) ``probabilities``.
    """
    parts = linear_parts(model)
    g = GraphBuilder()
    text = g.input("text", TensorProto.STRING, ["N"])
    ids, _ = word_ids(g, text, {w: i for i, w in enumerate(parts.words)}, parts.stopwords, unknown=-1,
                      min_width=max(parts.orders), tokenizer_version=parts.tokenizer_version)
    ordered, values = _feature_values(g, _columns(g, ids, parts), parts)
    table = np.vstack([parts.weights, np.zeros((1, parts.weights.shape[1]))])
    contributions = g.op("Mul", g.op("Unsqueeze", values, g.const([2], "int64")), g.op("Gather", g.const(table),
                                                                                        ordered))
    raw = g.op("Add", g.op("ReduceSum", contributions, g.const([1], "int64"), keepdims=0), g.const(parts.bias))
    k = len(parts.classes)
    if parts.head == "joint":  # Naive Bayes: the joint log likelihood of each class
        probabilities = g.op("Softmax", raw, axis=1)
        label_index = g.op("ArgMax", raw, axis=1, keepdims=0)
        scores = g.op("Sub", g.op("Gather", raw, g.const(1, "int64"), axis=1),
                      g.op("Gather", raw, g.const(0, "int64"), axis=1)) if k == 2 else \
            g.op("LogSoftmax", raw, axis=1)
    else:
        scores = g.op("Squeeze", raw, g.const([1], "int64")) if k == 2 else raw
        label_index = g.op("Cast", g.op("Greater", scores, g.const(0.0)), to=TensorProto.INT64) if k == 2 else \
            g.op("ArgMax", raw, axis=1, keepdims=0)
        probabilities = None
        if parts.scale is not None:
            probabilities = g.op("Softmax", g.op("Mul", raw, g.const(parts.scale)), axis=1)
        elif parts.calibrators:
            a = g.const([a for a, _ in parts.calibrators])
            b = g.const([b for _, b in parts.calibrators])
            each = g.op("Reciprocal", g.op("Add", g.const(1.0), g.op("Exp", g.op("Add", g.op("Mul", raw, a), b))))
            if k == 2:
                probabilities = g.op("Concat", g.op("Sub", g.const(1.0), each), each, axis=1)
            else:
                total = g.op("ReduceSum", each, g.const([1], "int64"), keepdims=1)
                uniform = g.op("Add", g.op("Mul", each, g.const(0.0)), g.const(1.0 / k))
                probabilities = g.op("Where", g.op("Greater", total, g.const(0.0)), g.op("Div", each, total),
                                     uniform)
    label = g.op("LabelEncoder", label_index, domain="ai.onnx.ml", keys_int64s=list(range(k)),
                 values_strings=[str(c) for c in parts.classes], default_string="")
    g.output(label, "label", TensorProto.STRING, ["N"])
    g.output(label_index, "label_index", TensorProto.INT64, ["N"])
    g.output(scores, "scores", TensorProto.DOUBLE, ["N"] if k == 2 else ["N", k])
    if probabilities is not None:
        g.output(probabilities, "probabilities", TensorProto.DOUBLE, ["N", k])
    return g.model(name, doc=f"imdb-baselines {name}: raw text in, label and probabilities out",
                   metadata={"classes": json.dumps(parts.classes), "model": name})


def linear_ids_onnx(model) -> onnx.ModelProto:
    """The text preparation alone (raw text in, each text's word ids out, then -3), to compare with Python's."""
    parts = linear_parts(model)
    g = GraphBuilder()
    ids, _ = word_ids(g, g.input("text", TensorProto.STRING, ["N"]), {w: i for i, w in enumerate(parts.words)},
                      parts.stopwords, unknown=-1, tokenizer_version=parts.tokenizer_version)
    g.output(ids, "ids", TensorProto.INT64, ["N", "W"])
    return g.model("preparation")
