"""Import TensorFlow and Keras once, quietly: their start-up log lines are noise unless asked for.

TensorFlow prints lines such as ``oneDNN custom operations are on`` and
``failed call to cuInit`` from C++ before its logging can be configured, so
they are silenced by pointing the process's standard error at ``/dev/null``
while it is imported. Set ``TF_CPP_MIN_LOG_LEVEL`` to 0 or 1 (``compare.py
--verbose`` does) to see them.

Keras runs on the backend ``KERAS_BACKEND`` names, TensorFlow by default. The
Keras models also train and predict on JAX or PyTorch (a machine whose GPU
those serve); learning a region embedding from unlabelled texts, the SavedModel
and ONNX exports need TensorFlow.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

__all__ = ["forward_function", "keras_backend", "load_keras"]

#: The Python module each Keras backend is.
BACKEND_MODULES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch", "numpy": "numpy"}


def keras_backend() -> str:
    """The backend Keras runs on, or will: the loaded Keras's, else ``KERAS_BACKEND`` (TensorFlow by default).

    Examples
    --------
    >>> keras_backend() in BACKEND_MODULES
    True
    """
    if "keras" in sys.modules:
        return sys.modules["keras"].backend.backend()
    return os.environ.get("KERAS_BACKEND", "tensorflow")


@contextlib.contextmanager
def _stderr_silenced() -> Iterator[None]:
    try:
        saved = os.dup(2)
    except OSError:  # no usable file descriptor 2
        yield
        return
    sys.stderr.flush()
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def load_keras():
    """The ``keras`` module, imported on first use with TensorFlow's start-up noise silenced unless verbose."""
    if "keras" in sys.modules:
        return sys.modules["keras"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        if os.environ["TF_CPP_MIN_LOG_LEVEL"] in ("0", "1"):
            import keras
        else:
            with _stderr_silenced():
                import keras

                if keras.backend.backend() == "tensorflow":
                    import tensorflow  # noqa: F401  (its C++ start-up lines are what is silenced)
    except ModuleNotFoundError as error:
        backend = keras_backend()
        if error.name not in ("keras", BACKEND_MODULES.get(backend, backend)):
            raise
        install = ("pip install 'imdb-baselines[neural]'" if backend == "tensorflow"
                   else f"pip install keras {BACKEND_MODULES.get(backend, backend)} (KERAS_BACKEND={backend})")
        raise ModuleNotFoundError(f"The Keras models need {error.name}, which is not installed: {install}",
                                  name=error.name) from error
    return keras


def forward_function(model, maxlen: int):
    """``model``'s forward pass, not training, on int32 ids of shape (n, ``maxlen``): one compiled TensorFlow
    function (traced once, then reused), or on another Keras backend the model called directly (its output
    converted to NumPy)."""
    keras = load_keras()
    if keras.backend.backend() != "tensorflow":
        return lambda ids: keras.ops.convert_to_numpy(model(ids, training=False))
    import tensorflow as tf

    spec = tf.TensorSpec((None, int(maxlen)), tf.int32)
    return tf.function(lambda ids: model(ids, training=False), input_signature=[spec])
