"""The Keras models as ONNX graphs that take raw text.

The text preparation and the Keras encoding (:mod:`imdb_baselines.exports.text_graph`: word
ids with the ``keras.datasets.imdb`` conventions, the start marker, the
fastText model's n-gram ids, padding and truncation as in training) are ONNX
operators; the network itself is converted by tf2onnx from a ``tf.function``
of the Keras model and joined to them in one graph.

Outputs: ``label``, ``label_index``, ``scores`` (log-odds for two classes,
log-probabilities for more) and ``probabilities`` (N, k).
"""

from __future__ import annotations

import json

import numpy as np
import onnx
from onnx import TensorProto

from imdb_baselines.exports.graph import OPSETS, GraphBuilder
from imdb_baselines.exports.text_graph import PAD, REMOVED, compact, window_keys, word_ids

__all__ = ["keras_ids", "keras_ids_onnx", "keras_onnx"]

# tf2onnx writes ONNX opset 18 at most; its operators mean the same in the graph's opset 20.
_NETWORK_OPSET = 18


def keras_ids(g: GraphBuilder, text: str, clf) -> str:
    """Add to ``g`` the encoding of ``clf`` (a fitted KerasTextClassifier): strings (N,) to int32 ids (N, maxlen)."""
    encoder, maxlen = clf.encoder_, int(clf.maxlen_)
    if encoder.oov_char is None:
        raise ValueError("Only models whose encoder keeps unknown words as oov_char can be exported.")
    lookup = {word: (encoder.oov_char if i is None else i) for word, i in encoder._id_lookup().items()}
    indexer = clf.ngram_indexer_
    widest = max(indexer.ngram if indexer is not None else 1, 1)
    ids, lengths = word_ids(g, text, lookup, encoder.preprocessor_.stopwords.words, unknown=encoder.oov_char,
                            min_width=widest, tokenizer_version=encoder.preprocessor_.tokenizer_version)
    if encoder.start_char is not None:
        rows = g.op("Slice", g.op("Shape", ids), g.const([0], "int64"), g.const([1], "int64"))
        start = g.op("Expand", g.const([[encoder.start_char]], "int64"), g.op("Concat", rows, g.const([1], "int64"),
                                                                               axis=0))
        ids = g.op("Concat", start, ids, axis=1)
    if indexer is not None and indexer.input_dim > indexer.start:
        base, table = indexer.int64_keys()
        blocks = [ids]
        for n, (keys, grams) in table.items():
            key, valid = window_keys(g, ids, n, base)
            found = g.op("LabelEncoder", key, domain="ai.onnx.ml", keys_int64s=keys.tolist(),
                         values_int64s=grams.tolist(), default_int64=REMOVED)
            blocks.append(g.op("Where", valid, found, g.const(REMOVED, "int64")))
        ids, lengths = compact(g, g.op("Concat", *blocks, axis=1), min_width=maxlen)
    else:
        ids, lengths = compact(g, ids, min_width=maxlen)
    # Padding and truncation as keras.utils.pad_sequences(maxlen, padding, truncating).
    kept = g.op("Min", lengths, g.const([[maxlen]], "int64"))
    first = g.op("Sub", lengths, kept) if clf.truncating == "pre" else g.op("Mul", lengths, g.const(0, "int64"))
    shift = g.op("Sub", g.const([[maxlen]], "int64"), kept) if clf.padding == "pre" else \
        g.op("Mul", kept, g.const(0, "int64"))
    positions = g.const(np.arange(maxlen, dtype=np.int64)[np.newaxis, :])
    source = g.op("Add", first, g.op("Sub", positions, shift))
    inside = g.op("And", g.op("GreaterOrEqual", positions, shift),
                  g.op("Less", g.op("Sub", positions, shift), kept))
    source = g.op("Where", inside, source, g.const(0, "int64"))
    taken = g.op("GatherElements", ids, source, axis=1)
    taken = g.op("Where", g.op("And", inside, g.op("GreaterOrEqual", taken, g.const(0, "int64"))), taken,
                 g.const(0, "int64"))
    assert PAD < 0  # padding ids are negative, so the test above turns them into Keras' 0
    return g.op("Cast", taken, to=TensorProto.INT32)


def _network(clf, opset: int) -> onnx.ModelProto:
    """The Keras network alone (int32 ids in, the output layer out), converted by tf2onnx."""
    import tensorflow as tf
    import tf2onnx

    model = clf.model_
    signature = (tf.TensorSpec((None, int(clf.maxlen_)), tf.int32, name="ids"),)

    @tf.function(input_signature=signature)
    def network(ids):
        return model(ids, training=False)

    proto, _ = tf2onnx.convert.from_function(network, input_signature=signature, opset=opset)
    return proto


def keras_onnx(clf, name: str = "model") -> onnx.ModelProto:
    """An ONNX graph of a fitted :class:`neural.KerasTextClassifier` that takes raw text.

    Parameters
    ----------
    clf : KerasTextClassifier
    name : str
        The model's name, kept in the graph's metadata.

    Returns
    -------
    onnx.ModelProto
        Input ``text`` (N,) strings; outputs ``label``, ``label_index``, ``scores`` and ``probabilities``.
    """
    network = onnx.compose.add_prefix(_network(clf, _NETWORK_OPSET), "network/")
    g = GraphBuilder()
    text = g.input("text", TensorProto.STRING, ["N"])
    ids = keras_ids(g, text, clf)
    g.nodes.append(onnx.helper.make_node("Identity", [ids], [network.graph.input[0].name]))
    g.nodes.extend(network.graph.node)
    g.initializers.extend(network.graph.initializer)
    output = g.op("Cast", network.graph.output[0].name, to=TensorProto.DOUBLE)
    k = len(clf.classes_)
    if k == 2:  # one sigmoid unit: the probability of classes_[1]
        positive = output
        probabilities = g.op("Concat", g.op("Sub", g.const(1.0), positive), positive, axis=1)
        label_index = g.op("Cast", g.op("Squeeze", g.op("Greater", positive, g.const(0.5)), g.const([1], "int64")),
                           to=TensorProto.INT64)
    else:
        probabilities = output
        label_index = g.op("ArgMax", probabilities, axis=1, keepdims=0)
    clipped = g.op("Clip", probabilities, g.const(1e-7), g.const(1 - 1e-7))
    logs = g.op("Log", clipped)
    if k == 2:
        scores = g.op("Sub", g.op("Gather", logs, g.const(1, "int64"), axis=1),
                      g.op("Gather", logs, g.const(0, "int64"), axis=1))
    else:
        scores = logs
    classes = [c.item() if hasattr(c, "item") else c for c in clf.classes_]
    label = g.op("LabelEncoder", label_index, domain="ai.onnx.ml", keys_int64s=list(range(k)),
                 values_strings=[str(c) for c in classes], default_string="")
    g.output(label, "label", TensorProto.STRING, ["N"])
    g.output(label_index, "label_index", TensorProto.INT64, ["N"])
    g.output(scores, "scores", TensorProto.DOUBLE, ["N"] if k == 2 else ["N", k])
    g.output(probabilities, "probabilities", TensorProto.DOUBLE, ["N", k])
    model = g.model(name, doc=f"imdb-baselines {name}: raw text in, label and probabilities out",
                    metadata={"classes": json.dumps(classes), "model": name})
    extra = {o.domain: o.version for o in network.opset_import if o.domain not in OPSETS}
    for domain, version in extra.items():
        model.opset_import.append(onnx.helper.make_opsetid(domain, version))
    return model


def keras_ids_onnx(clf) -> onnx.ModelProto:
    """The encoding part alone (raw text in, the network's int32 ids out), to compare with the Python encoding."""
    g = GraphBuilder()
    g.output(keras_ids(g, g.input("text", TensorProto.STRING, ["N"]), clf), "ids", TensorProto.INT32,
             ["N", int(clf.maxlen_)])
    return g.model("encoding")
