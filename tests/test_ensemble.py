"""The stacked ensemble: what its members read, what its stacker learns from, and that it is kept and refused
like the other models."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from baselines import TokenSpan, make_ensemble, make_nbsvm
from imdb_baselines.catalog import parse_settings, resolved_settings
from imdb_baselines.corpus import prepare
from imdb_baselines.exports import export_model
from imdb_baselines.modelfiles import load_model, save_model
from tests.conftest import FIXTURES


@pytest.fixture(scope="module")
def reviews(fixture_corpus):
    train, test = fixture_corpus.train, fixture_corpus.test
    return train["text"].tolist(), train["label"].to_numpy(), test["text"].tolist(), test["label"].to_numpy()


@pytest.fixture(scope="module")
def fitted(reviews):
    X, y, _, _ = reviews
    return make_ensemble().fit(X, y)


def test_the_stacker_learns_only_from_out_of_fold_values(reviews, fitted):
    X, y, test, y_test = reviews
    assert list(fitted.named_estimators_) == ["nbsvm", "linear_svm", "ending"]
    folds = StratifiedKFold(5)  # contiguous folds: IMDB's consecutive reviews of one movie stay together
    values = np.column_stack([cross_val_predict(member, X, y, cv=folds, method="decision_function")
                              for _, member in make_ensemble().estimators])
    stacker = LogisticRegression().fit(values, y)
    np.testing.assert_allclose(fitted.final_estimator_.coef_, stacker.coef_, rtol=1e-6)
    assert np.all(fitted.final_estimator_.coef_ > 0)  # every member's margin points the same way
    on_test = fitted.transform(test)  # the members refit on every training review
    assert on_test.shape == (len(test), 3)
    assert np.array_equal(fitted.predict(test), stacker.predict(on_test))
    assert np.mean(fitted.predict(test) == y_test) >= 0.7  # 80 training reviews; chance is 0.5


def test_the_ending_member_reads_only_the_last_tokens(reviews, fitted):
    _, _, test, _ = reviews
    review = max(test, key=len)
    changed = "Dreadful, boring, the worst acting imaginable. " * 3 + review
    ending, nbsvm = fitted.named_estimators_["ending"], fitted.named_estimators_["nbsvm"]
    assert ending.decision_function([changed]) == pytest.approx(ending.decision_function([review]))
    assert nbsvm.decision_function([changed]) < nbsvm.decision_function([review])


def test_token_span_cuts_prepared_and_raw_texts_alike(reviews):
    _, _, test, _ = reviews
    prepared = prepare(test)
    last = TokenSpan(start=-50).fit_transform(test)
    assert last.tokens() == [tokens[-50:] for tokens in prepared.tokens()]
    assert TokenSpan(start=-50).fit_transform(prepared).tokens() == last.tokens()
    assert TokenSpan(stop=10).fit_transform(prepared).tokens()[0] == prepared.tokens()[0][:10]
    with pytest.raises(ValueError, match="'start' parameter of TokenSpan must be an int"):
        TokenSpan(start=0.5).fit(test)
    with pytest.raises(ValueError, match="'span' parameter of make_ensemble must be an int >= 1"):
        make_ensemble(span=0)


def test_six_question_classes(tmp_path):
    train, test = (pd.read_json(FIXTURES / "trec" / f"{part}.jsonl", lines=True) for part in ("train", "test"))
    model = make_ensemble(span=5, cv=3).fit(train["question"], train["coarse"])
    assert model.classes_.tolist() == ["ABBR", "DESC", "ENTY", "HUM", "LOC", "NUM"]
    assert model.transform(test["question"]).shape == (len(test), 3 * 6)
    probabilities = model.predict_proba(test["question"])
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    assert np.mean(model.predict(test["question"]) == test["coarse"]) > 1 / 3  # above the commonest class's share


def test_kept_loaded_and_refused_by_onnx(reviews, fitted, tmp_path):
    _, _, test, _ = reviews
    folder = save_model(fitted, tmp_path / "ensemble", name="ensemble")
    loaded = load_model(folder)
    # its members keep float32 weights when saved: the same answers, probabilities to a few parts in a billion
    assert loaded.predict(test).tolist() == fitted.predict(test).tolist()
    np.testing.assert_allclose(loaded.predict_proba(test), fitted.predict_proba(test), rtol=0, atol=1e-7)
    with pytest.raises(ValueError, match="several models; only single models export to ONNX"):
        export_model(folder, "onnx", tmp_path / "export")
    assert not (tmp_path / "export").exists()


def test_its_settings_are_reachable_one_way():
    assert resolved_settings("ensemble") == {"span": 50, "final_C": 1.0, "cv": 5, "class_weight": None,
                                             "hash_bits": None}
    assert parse_settings(["ensemble.span=100"], ["ensemble"]) == {"ensemble": {"span": 100}}
    with pytest.raises(ValueError,
                       match="ensemble has no setting 'C'; its settings: class_weight, cv, final_C, hash_bits, span"):
        parse_settings(["ensemble.C=2"], ["ensemble"])
    nested = make_ensemble().get_params()
    assert nested["ending__span__start"] == -50 and nested["nbsvm__classifier__beta"] == 0.25
    assert make_ensemble(final_C=0.1).get_params()["final_estimator__C"] == 0.1
    assert make_nbsvm().get_params()["classifier__beta"] == nested["nbsvm__classifier__beta"]


def test_the_stacker_converges_on_five_classes():
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    sentences = pd.read_csv(FIXTURES / "sst5" / "train.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # lbfgs' default 100 iterations fell short here
        model = make_ensemble(final_C=10.0, cv=3).fit(sentences["sentence"].tolist(), sentences["label"].to_numpy())
    assert len(model.classes_) == 5 and model.final_estimator_.n_iter_[0] > 100
