"""How closely an export follows its Python model: labels, probabilities and the encoding of each text."""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np

__all__ = ["agreement", "encoding_differs", "why_encoding_differs"]

_BATCH = 1000


def why_encoding_differs(text: str) -> str:
    """The characters of a text that the in-graph preparation treats differently from Python, as far as they show."""
    reasons = []
    for match in re.finditer(r"&#?\w+;?", text):
        entity = match.group(0)
        plain = html.unescape(entity)
        if plain == entity:
            continue
        if not entity.endswith(";"):
            reasons.append(f"the entity {entity} without its ';' (Python reads it as {plain!r})")
        elif any(c.isalnum() for c in plain):
            reasons.append(f"the entity {entity} stands for {plain!r}, a letter or digit")
    if not reasons:
        letters = sorted(set(re.findall(r"[^\x00-\x7f]", text)))
        reasons.append("non-ASCII characters (" + "".join(letters)[:20] + ")" if letters else "unexplained")
    return "; ".join(dict.fromkeys(reasons))


def _python_ids(model, texts: list[str]) -> list[list[int]]:
    from imdb_baselines.modelfiles import base_model

    base = base_model(model)
    if hasattr(base, "steps"):
        vectorizer = base.named_steps["vectorizer"]
        index = vectorizer.word_index_
        return [[index.get(t, -1) for t in vectorizer.preprocessor_(text)] for text in texts]
    return base._encode(texts).tolist()


def _graph_ids(model, texts: list[str], savedmodel: Path | None) -> list[list[int]]:
    from imdb_baselines.modelfiles import base_model

    base = base_model(model)
    if savedmodel is not None:
        import tensorflow as tf

        encode = tf.saved_model.load(str(savedmodel)).signatures["encode"]
        return np.concatenate([encode(text=tf.constant(texts[i:i + _BATCH]))["ids"].numpy()
                               for i in range(0, len(texts), _BATCH)]).tolist()
    import onnxruntime

    from imdb_baselines.exports.onnx_keras import keras_ids_onnx
    from imdb_baselines.exports.onnx_linear import linear_ids_onnx

    linear = hasattr(base, "steps")
    session = onnxruntime.InferenceSession((linear_ids_onnx(model) if linear else keras_ids_onnx(base))
                                           .SerializeToString())
    rows = []
    for i in range(0, len(texts), _BATCH):
        [ids] = session.run(None, {"text": np.asarray(texts[i:i + _BATCH], dtype=object)})
        rows += [[int(v) for v in row if v != -3] for row in ids] if linear else ids.tolist()
    return rows


def encoding_differs(model, texts: list[str], savedmodel: Path | None = None) -> list[int]:
    """Positions of the texts whose in-graph encoding (ONNX, or the SavedModel at ``savedmodel``) is not Python's.

    The encoding compared is the model's input: word ids for a baseline, the padded ids of the network
    for a Keras model.
    """
    return [i for i, (a, b) in enumerate(zip(_python_ids(model, texts), _graph_ids(model, texts, savedmodel)))
            if a != b]


def agreement(model, exported, texts: list[str], expected: list[dict] | None = None) -> dict:
    """Labels, probabilities and encodings of an export against the Python model's, on ``texts``.

    Parameters
    ----------
    model : estimator
        The loaded model (:func:`imdb_baselines.modelfiles.load_model`).
    exported : ExportedModel
        Its export (:func:`imdb_baselines.exports.load_export`).
    texts : list of str
    expected : list of dict, optional
        :func:`imdb_baselines.modelfiles.predict_texts` of the model on ``texts``, if already computed.

    Returns
    -------
    dict
        ``agreement`` (share of texts with the model's label), ``label_differs``, ``encoding_differs`` (count)
        and up to 25 ``encoding_differs_examples`` with a reason; where the model has probabilities, the
        largest difference of the label's probability over texts with the same encoding and label
        (``max_probability_difference_same_encoding``) and ``label_differs_with_same_encoding``.
    """
    from imdb_baselines.modelfiles import predict_texts

    if expected is None:
        expected = [row for i in range(0, len(texts), _BATCH) for row in predict_texts(model, texts[i:i + _BATCH])]
    outputs = [exported.predict(texts[i:i + _BATCH]) for i in range(0, len(texts), _BATCH)]
    labels = np.concatenate([o["label"] for o in outputs]).astype(str)
    same_label = labels == np.asarray([str(e["label"]) for e in expected])
    savedmodel = exported.path / "savedmodel" if exported.format == "savedmodel" else None
    differ = encoding_differs(model, texts, savedmodel)
    same_encoding = np.ones(len(texts), bool)
    same_encoding[differ] = False
    row = {"agreement": round(float(same_label.mean()), 6), "label_differs": int((~same_label).sum()),
           "encoding_differs": len(differ),
           "encoding_differs_examples": [{"text": i, "why": why_encoding_differs(texts[i])} for i in differ[:25]],
           "label_differs_with_same_encoding": int((~same_label & same_encoding).sum())}
    if "probabilities" in outputs[0] and expected[0]["probability"] is not None:
        probabilities = np.concatenate([o["probabilities"] for o in outputs])
        index = np.concatenate([o["label_index"] for o in outputs])
        gap = np.abs(probabilities[np.arange(len(texts)), index] - [e["probability"] for e in expected])
        same = same_encoding & same_label
        row["max_probability_difference_same_encoding"] = float(gap[same].max()) if same.any() else None
    return row
