"""The Keras models as TensorFlow SavedModels that take raw text.

The serving function does the shared text preparation with TensorFlow's own
string operations (RE2 regular expressions, Unicode lowercasing), then the
Keras encoding (vocabulary, start marker, fastText n-gram ids, padding and
truncation), then the network, as the Keras text tutorials export
end-to-end models:

1. tags become spaces; the entities ``&#39;``, ``&#x27;``, ``&apos;``,
   ``&quot;``, ``&lt;``, ``&gt;``, ``&nbsp;`` and ``&amp;`` are unescaped, and
   every other entity ``html.unescape`` knows becomes a space (so one that
   stands for a letter, ``caf&eacute;``, differs from Python's ``café``);
   typographic apostrophes become plain; lowercase;
2. every character that is not a letter, a digit or an apostrophe becomes a
   space, and so does an apostrophe that is not between two letters or digits;
   from tokenizer version 2, each "!" and "?" (and their entities) stands
   apart as a word of its own;
3. split on spaces, drop stopwords, look the words up.

Signature ``imdb_baselines.serving_default``: ``text`` (N,) strings in; ``label``,
``label_index``, ``scores`` and ``probabilities`` out.
"""

from __future__ import annotations

import html.entities
import json
from pathlib import Path

from imdb_baselines.exports.marks import KEPT_MARKS, entity_pattern

__all__ = ["keras_savedmodel"]

_ENTITIES = (("&#39;", "'"), ("&#x27;", "'"), ("&apos;", "'"), ("&quot;", '"'), ("&lt;", "<"), ("&gt;", ">"),
             ("&nbsp;", " "), ("&amp;", "&"))  # &amp; last: "&amp;lt;" is "&lt;", as html.unescape reads it
# Every other entity html.unescape knows (numeric, or a name of HTML5's list) becomes a space.
_OTHER_ENTITIES = ("&(?:#[0-9]+|#[xX][0-9a-fA-F]+|"
                   + "|".join(sorted({name[:-1] for name in html.entities.html5
                                      if name.endswith(";") and name != "amp;"})) + ");")
_REMOVED = -2


def _module(clf, name: str):
    import tensorflow as tf

    encoder, maxlen, indexer = clf.encoder_, int(clf.maxlen_), clf.ngram_indexer_
    lookup = {word: (encoder.oov_char if i is None else i) for word, i in encoder._id_lookup().items()}
    stopwords = sorted(encoder.preprocessor_.stopwords.words)
    marks = KEPT_MARKS[encoder.preprocessor_.tokenizer_version]  # the marks kept as tokens, as one string
    classes = [c.item() if hasattr(c, "item") else c for c in clf.classes_]
    n_classes = len(classes)

    class TextClassifier(tf.Module):
        def __init__(self) -> None:
            super().__init__(name=name)
            self.network = clf.model_
            # Every variable the network reads, dropout's seed states included, tracked by the module.
            self.network_variables = list(clf.model_.variables) + [
                generator.state for layer in clf.model_._flatten_layers()
                for generator in getattr(layer, "_seed_generators", [])]
            keys = list(lookup) + stopwords
            values = list(lookup.values()) + [_REMOVED] * len(stopwords)
            self.words = tf.lookup.StaticHashTable(
                tf.lookup.KeyValueTensorInitializer(tf.constant(keys, tf.string), tf.constant(values, tf.int64)),
                default_value=encoder.oov_char)
            self.grams = {}
            if indexer is not None and indexer.input_dim > indexer.start:
                self.base, table = indexer.int64_keys()
                for n, (keys, grams) in table.items():
                    self.grams[str(n)] = tf.lookup.StaticHashTable(
                        tf.lookup.KeyValueTensorInitializer(tf.constant(keys), tf.constant(grams)),
                        default_value=_REMOVED)
            self.class_names = tf.constant([str(c) for c in classes])

        def _ids(self, text):
            text = tf.strings.regex_replace(text, "<[^>]*>", " ")
            for entity, plain in _ENTITIES[:-1]:
                text = tf.strings.regex_replace(text, entity, plain, replace_global=True)
            for mark in marks:  # its entities, as html.unescape reads them
                text = tf.strings.regex_replace(text, entity_pattern(mark), mark)
            text = tf.strings.regex_replace(text, _OTHER_ENTITIES, " ")  # as separators
            text = tf.strings.regex_replace(text, "&amp;", "&")  # last: "&amp;lt;" is "&lt;" to html.unescape
            text = tf.strings.regex_replace(text, "[\u2019\u2018`]", "'")
            text = tf.strings.lower(text, encoding="utf-8")
            if marks:
                text = tf.strings.regex_replace(text, f"([{marks}])", r" \1 ")
            text = tf.strings.regex_replace(text, rf"[^\pL\pN'{marks}]", " ")
            text = tf.strings.regex_replace(text, "''+", " ")
            text = tf.strings.regex_replace(text, r"(^|\s)'", r"\1 ")
            text = tf.strings.regex_replace(text, r"'(\s|$)", r" \1")
            ids = tf.ragged.map_flat_values(self.words.lookup, tf.strings.split(text))
            ids = tf.ragged.boolean_mask(ids, tf.not_equal(ids, _REMOVED))
            if encoder.start_char is not None:
                rows = tf.shape(text, out_type=tf.int64)[0]
                ids = tf.concat([tf.fill([rows, 1], tf.constant(encoder.start_char, tf.int64)), ids], axis=1)
            parts = [ids]
            for n, table in sorted(self.grams.items()):
                n = int(n)
                key = outside = None
                for k in range(n):
                    window = ids[:, k:] if k == n - 1 else ids[:, k:k - (n - 1)]
                    key = window if key is None else key * self.base + window
                    beyond = window >= self.base  # in no n-gram: its key would be another n-gram's
                    outside = beyond if outside is None else tf.logical_or(outside, beyond)
                key = tf.ragged.map_flat_values(lambda o, k: tf.where(o, tf.constant(-1, tf.int64), k), outside, key)
                found = tf.ragged.map_flat_values(table.lookup, key)
                parts.append(tf.ragged.boolean_mask(found, tf.not_equal(found, _REMOVED)))
            ids = tf.concat(parts, axis=1) if len(parts) > 1 else ids
            ids = ids[:, -maxlen:] if clf.truncating == "pre" else ids[:, :maxlen]
            if clf.padding == "pre":
                dense = tf.reverse(tf.reverse_sequence(ids.to_tensor(0, shape=[None, maxlen]),
                                                       ids.row_lengths(), seq_axis=1, batch_axis=0), axis=[1])
            else:
                dense = ids.to_tensor(0, shape=[None, maxlen])
            return tf.cast(dense, tf.int32)

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="text")])
        def encode(self, text):
            """The network's input ids for each text (signature ``encode``), to compare with Python's."""
            return {"ids": self._ids(text)}

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="text")])
        def serve(self, text):
            output = tf.cast(self.network(self._ids(text), training=False), tf.float64)
            if n_classes == 2:
                probabilities = tf.concat([1.0 - output, output], axis=1)
                label_index = tf.cast(output[:, 0] > 0.5, tf.int64)
            else:
                probabilities = output
                label_index = tf.argmax(output, axis=1)
            logs = tf.math.log(tf.clip_by_value(probabilities, 1e-7, 1 - 1e-7))
            scores = logs[:, 1] - logs[:, 0] if n_classes == 2 else logs
            return {"label": tf.gather(self.class_names, label_index), "label_index": label_index,
                    "scores": scores, "probabilities": probabilities}

    return TextClassifier(), classes


def keras_savedmodel(clf, folder: Path, name: str = "model") -> None:
    """Write a TensorFlow SavedModel of a fitted :class:`neural.KerasTextClassifier` that takes raw text.

    Parameters
    ----------
    clf : KerasTextClassifier
    folder : Path
        The SavedModel's folder (created).
    name : str
        The model's name.
    """
    import tensorflow as tf

    module, classes = _module(clf, name)
    tf.saved_model.save(module, str(folder), signatures={"serving_default": module.serve,
                                                                  "encode": module.encode})
    (folder / "assets").mkdir(exist_ok=True)
    (folder / "assets" / "classes.json").write_text(json.dumps(classes), encoding="utf-8")
