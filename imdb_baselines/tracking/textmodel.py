"""A kept model as an MLflow model that takes raw text: ``mlflow models serve`` answers as ``imdb-predict`` does.

The model folder the comparison saved (``models/NAME``) travels as the MLflow model's
artifact; :class:`TextModel` loads it with :func:`imdb_baselines.modelfiles.load_model`
(the same trusted-type checks) and answers through
:func:`imdb_baselines.modelfiles.predict_texts`, the one prediction path of the package.
The model is logged from code (``model_code.py``), as MLflow 3 recommends, rather than
as a pickled object.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mlflow
import pandas as pd
from mlflow.models import ModelSignature
from mlflow.pyfunc import PythonModel
from mlflow.types import ColSpec, Schema

__all__ = ["TEXT_COLUMN", "TextModel", "log_text_model", "signature_for"]

#: The one input column of a logged model.
TEXT_COLUMN = "text"


class TextModel(PythonModel):
    """Raw texts in (a ``text`` column, or a list of strings); ``label``, ``probability``, ``score`` out.

    ``probability`` is that of the label (empty for a model without probabilities); ``score`` is the
    model's margin or log-odds, as ``imdb-predict`` prints them.
    """

    def load_context(self, context) -> None:
        from imdb_baselines.modelfiles import adapter_for, load_model

        self.model = load_model(Path(context.artifacts["model"]))
        self.adapter = adapter_for(self.model)

    def predict(self, context, model_input: pd.DataFrame, params: dict[str, Any] | None = None) -> pd.DataFrame:
        from imdb_baselines.modelfiles import predict_texts

        if isinstance(model_input, pd.DataFrame):
            if TEXT_COLUMN not in model_input.columns:
                raise ValueError(f"the input needs a {TEXT_COLUMN!r} column of raw texts; it has "
                                 f"{list(model_input.columns)}")
            texts = model_input[TEXT_COLUMN]
        else:
            texts = pd.Series(list(model_input))
        texts = [str(text) for text in texts.tolist()]
        rows = predict_texts(self.model, texts, adapter=self.adapter) if texts else []
        return pd.DataFrame(rows, columns=["label", "probability", "score"])


def signature_for(label_type: str) -> ModelSignature:
    """One string column in; the label (of ``label_type``: ``long`` or ``string``), its probability and the
    score out."""
    return ModelSignature(inputs=Schema([ColSpec("string", TEXT_COLUMN)]),
                          outputs=Schema([ColSpec(label_type, "label"), ColSpec("double", "probability",
                                                                               required=False),
                                          ColSpec("double", "score", required=False)]))


def log_text_model(folder: Path, *, name: str, run_id: str, examples: list[str], label_type: str,
                   requirements: list[str]):
    """Log the saved model ``folder`` to the run ``run_id`` (resumed for the call) as the MLflow model ``name``.

    Returns
    -------
    mlflow.models.model.ModelInfo
        Its ``model_uri`` (``models:/...``) loads it with ``mlflow.pyfunc.load_model``; ``runs:/RUN/NAME`` too.
    """
    code = Path(__file__).with_name("model_code.py")
    with mlflow.start_run(run_id=run_id, nested=mlflow.active_run() is not None):  # the run's experiment
        return mlflow.pyfunc.log_model(name=name, python_model=str(code), artifacts={"model": str(folder)},
                                       signature=signature_for(label_type),
                                       input_example=pd.DataFrame({TEXT_COLUMN: examples}),
                                       pip_requirements=requirements)
