"""Kept models exported for other runtimes, taking raw text: ONNX (every model) and TensorFlow SavedModel (Keras).

The shared text preparation is inside each exported graph, so a caller sends
review text and reads labels and probabilities; nothing of this package is
needed to run them (onnxruntime, or TensorFlow). Needs the ``export`` extra
(onnx, onnxruntime, tf2onnx).
"""

from imdb_baselines.exports.files import EXPORT_FORMATS, ExportedModel, export_model, load_export

__all__ = ["EXPORT_FORMATS", "ExportedModel", "export_model", "load_export"]
