"""The code MLflow runs to rebuild a logged model (MLflow's "models from code"): no pickled object is stored.

MLflow copies this file into each logged model; loading the model runs it, and
:class:`~imdb_baselines.tracking.textmodel.TextModel` then reads the saved folder with the
package's own trusted-type checks.
"""

import mlflow

from imdb_baselines.tracking.textmodel import TextModel

mlflow.models.set_model(TextModel())
