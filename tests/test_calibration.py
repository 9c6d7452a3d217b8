"""Probabilities from margins: one scale fitted on validation texts, and the label always the most probable class."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import log_loss

from imdb_baselines.catalog import make_model
from imdb_baselines.run.calibration import MarginCalibration, base_model, calibrate
from tests.conftest import FIXTURES

SST5 = FIXTURES / "sst5"


@pytest.fixture(scope="module")
def sst5():
    parts = {part: pd.read_csv(SST5 / f"{part}.csv") for part in ("train", "dev", "test")}
    return {part: (table.iloc[:, 0].tolist(), table.iloc[:, 1].to_numpy()) for part, table in parts.items()}


@pytest.mark.parametrize("name", ["linear_svm", "nbsvm"])
def test_five_classes_keep_the_margins_label_as_the_most_probable(name, sst5):
    model = make_model(name, stopwords="minimal", seed=0).fit(*sst5["train"])
    calibrated = calibrate(model, *sst5["dev"])
    texts, labels = sst5["test"]
    probabilities = calibrated.predict_proba(texts)
    assert probabilities.shape == (len(texts), 5) and np.allclose(probabilities.sum(axis=1), 1.0)
    np.testing.assert_array_equal(calibrated.classes_[probabilities.argmax(axis=1)], model.predict(texts))
    np.testing.assert_array_equal(calibrated.predict(texts), model.predict(texts))
    assert base_model(calibrated) is model and calibrated.scale_ > 0


def test_the_scale_is_the_one_with_the_least_validation_log_loss(fixture_splits):
    model = make_model("linear_svm", stopwords="minimal", seed=0).fit(fixture_splits.X_train, fixture_splits.y_train)
    calibrated = calibrate(model, fixture_splits.X_val, fixture_splits.y_val)
    margins = model.decision_function(fixture_splits.X_val)

    def loss(scale):
        positive = 1.0 / (1.0 + np.exp(-scale * margins))
        return log_loss(fixture_splits.y_val, np.column_stack([1 - positive, positive]), labels=[0, 1])

    best = loss(calibrated.scale_)
    assert best < loss(1.0) and best <= loss(calibrated.scale_ * 1.05) and best <= loss(calibrated.scale_ / 1.05)
    probabilities = calibrated.predict_proba(fixture_splits.X_test)
    positive = model.decision_function(fixture_splits.X_test) > 0
    assert ((probabilities[:, 1] > 0.5) == positive).all()  # the label, the probability of that label: one answer


def test_calibration_needs_every_class_and_refuses_a_new_one(fixture_splits):
    model = make_model("nbsvm", stopwords="minimal", seed=0).fit(fixture_splits.X_train, fixture_splits.y_train)
    only_positive = [text for text, label in zip(fixture_splits.X_val, fixture_splits.y_val) if label == 1]
    assert calibrate(model, only_positive, [1] * len(only_positive)) is None
    with pytest.raises(ValueError, match=r"classes the model was not trained on: \[7\]"):
        MarginCalibration(model).fit(fixture_splits.X_val[:3], [0, 1, 7])
