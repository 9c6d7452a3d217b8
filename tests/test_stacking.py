"""Named models stacked on the validation split: what the stacker learns from, what each member trains on, and
the catalogue's stack of the ensemble and the region CNN kept, loaded and refused like the other models."""

import json

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from imdb_baselines.catalog import make_model, parse_settings, resolved_settings
from imdb_baselines.catalog.stacking import ValidationStack
from imdb_baselines.exports import export_model
from imdb_baselines.modelfiles import ModelFileError, load_model, read_manifest, save_model

CLEAR = ["An absolute masterpiece: moving, funny and beautifully acted. I loved every minute of it.",
         "Dreadful. The plot is a mess, the acting is wooden and I was bored out of my mind. Avoid it."]


@pytest.fixture(scope="module")
def reviews(fixture_splits):
    s = fixture_splits
    return list(s.X_train), s.y_train, list(s.X_val), s.y_val, list(s.X_test), s.y_test


def test_the_stacker_learns_from_the_members_validation_scores(reviews):
    X, y, X_val, y_val, X_test, y_test = reviews
    stack = ValidationStack(("nbsvm", "linear_svm"), stopwords="minimal").fit(X, y, validation_data=(X_val, y_val))
    alone = {name: make_model(name, stopwords="minimal").fit(X, y) for name in ("nbsvm", "linear_svm")}
    for name, member in stack.members_:  # each member trained on the training texts only, as it would alone
        np.testing.assert_allclose(member.decision_function(X_test), alone[name].decision_function(X_test))
    columns = np.column_stack([alone[name].decision_function(X_val) for name in ("nbsvm", "linear_svm")])
    stacker = LogisticRegression().fit(columns, y_val)
    np.testing.assert_allclose(stack.final_estimator_.coef_, stacker.coef_)
    assert stack.predict(CLEAR).tolist() == [1, 0]
    assert np.mean(stack.predict(X_test) == y_test) > 0.6
    np.testing.assert_allclose(stack.predict_proba(X_test).sum(axis=1), 1.0)
    assert set(stack.member_seconds_) == {"nbsvm", "linear_svm"}


def test_refit_fits_the_members_again_on_training_and_validation_texts_and_keeps_the_stacker(reviews):
    from imdb_baselines.corpus import prepare

    X, y, X_val, y_val, X_test, y_test = reviews
    settings = {"members": ("nbsvm", "linear_svm"), "stopwords": "minimal"}
    once = ValidationStack(**settings).fit(X, y, validation_data=(X_val, y_val))
    refitted = ValidationStack(**settings, refit=True).fit(prepare(X, "minimal"), y,
                                                          validation_data=(prepare(X_val, "minimal"), y_val))
    np.testing.assert_allclose(refitted.final_estimator_.coef_, once.final_estimator_.coef_)  # learned before
    for name, member in refitted.members_:  # then each member as it would be fitted on all the labelled texts
        alone = make_model(name, stopwords="minimal").fit([*X, *X_val], np.concatenate([y, y_val]))
        np.testing.assert_allclose(member.decision_function(X_test), alone.decision_function(X_test))
        assert not np.allclose(member.decision_function(X_test), dict(once.members_)[name].decision_function(X_test))
    assert refitted.predict(CLEAR).tolist() == [1, 0]
    assert np.mean(refitted.predict(X_test) == y_test) > 0.6
    assert refitted.get_params()["refit"] is True


def test_refit_keeps_a_keras_member_as_it_early_stopped_on_the_validation_texts(reviews):
    X, y, X_val, y_val, X_test, _ = reviews
    settings = {"members": ("nbsvm", "fasttext"), "stopwords": "minimal", "neural_overrides": {"epochs": 2}}
    once = dict(ValidationStack(**settings).fit(X, y, validation_data=(X_val, y_val)).members_)
    refitted = dict(ValidationStack(**settings, refit=True).fit(X, y, validation_data=(X_val, y_val)).members_)
    np.testing.assert_allclose(refitted["fasttext"].decision_function(X_test),
                               once["fasttext"].decision_function(X_test), rtol=1e-5)
    assert not np.allclose(refitted["nbsvm"].decision_function(X_test), once["nbsvm"].decision_function(X_test))


def test_refit_neural_fits_a_keras_member_again_for_its_kept_epochs_from_the_same_region_embedding(
        reviews, fixture_corpus):
    from imdb_baselines.catalog.stacking import kept_epochs

    X, y, X_val, y_val, X_test, _ = reviews
    unlabelled = fixture_corpus.unsup["text"].tolist()
    overrides = {"epochs": 3, "verbose": 0, "num_words": 300, "filters": 16}
    settings = {"members": ("nbsvm", "region_cnn_unlabelled"), "stopwords": "minimal", "neural_overrides": overrides}
    once = ValidationStack(**settings).fit(X, y, validation_data=(X_val, y_val), unlabelled=unlabelled)
    refitted = ValidationStack(**settings, refit_neural=True).fit(X, y, validation_data=(X_val, y_val),
                                                                  unlabelled=unlabelled)
    first, second = dict(once.members_)["region_cnn_unlabelled"], dict(refitted.members_)["region_cnn_unlabelled"]
    epochs = kept_epochs(first)
    assert 1 <= epochs <= len(first.history_["loss"]) and np.argmin(first.history_["val_loss"]) == epochs - 1
    assert refitted.refitted_epochs_ == {"region_cnn_unlabelled": epochs}
    np.testing.assert_allclose(refitted.final_estimator_.coef_, once.final_estimator_.coef_)  # learned before
    assert second.region_vectors_ == first.region_vectors_  # the embedding the first fit learned, read again
    assert (second.epochs, second.early_stopping, len(second.history_["loss"])) == (epochs, False, epochs)
    assert "val_loss" not in second.history_  # nothing held out: it trained on the validation texts too
    alone = make_model("region_cnn_unlabelled", stopwords="minimal", neural_overrides=overrides,
                       settings={"region_embeddings": first.region_vectors_[0], "epochs": epochs,
                                 "early_stopping": False, "validation_size": 0.0})
    alone.fit([*X, *X_val], np.concatenate([y, y_val]), unlabelled=unlabelled)
    np.testing.assert_allclose(second.decision_function(X_test), alone.decision_function(X_test), rtol=1e-5)
    assert not np.allclose(second.decision_function(X_test), first.decision_function(X_test))
    np.testing.assert_allclose(dict(refitted.members_)["nbsvm"].decision_function(X_test),  # refit=False: kept
                               dict(once.members_)["nbsvm"].decision_function(X_test))
    assert refitted.predict(CLEAR).tolist() == [1, 0]


def test_texts_prepared_once_are_scored_by_each_member_once(reviews):
    import pickle

    from imdb_baselines.corpus import prepare

    X, y, X_val, y_val, X_test, _ = reviews
    stack = ValidationStack(("nbsvm", "naive_bayes"), stopwords="minimal").fit(X, y, validation_data=(X_val, y_val))
    calls = []
    for name, member in stack.members_:
        real = member.decision_function
        member.decision_function = lambda texts, real=real, name=name: calls.append(name) or real(texts)
    test = prepare(X_test, "minimal")
    scores, probabilities = stack.decision_function(test), stack.predict_proba(test)
    assert calls == ["nbsvm", "naive_bayes"]  # the comparison's two calls on one test set run each member once
    assert np.array_equal(stack.predict(test), stack.predict(list(X_test)))  # raw texts are scored afresh
    assert calls == ["nbsvm", "naive_bayes"] * 2
    np.testing.assert_allclose(stack.final_estimator_.predict_proba(stack._member_scores(list(X_test))),
                               probabilities)
    np.testing.assert_allclose(stack.decision_function(list(X_test)), scores)
    for _, member in stack.members_:
        del member.decision_function
    again = pickle.loads(pickle.dumps(stack))  # the remembered scores do not travel
    assert "_last_scored" in stack.__dict__ and "_last_scored" not in again.__dict__
    np.testing.assert_allclose(again.decision_function(test), scores)
    stack.fit(X_val, y_val, validation_data=(X, y))  # refitted members score the same texts anew
    assert not np.allclose(stack.decision_function(test), scores)

def test_without_validation_texts_it_holds_out_a_stratified_share_of_the_training_texts(reviews):
    X, y, *_ = reviews
    stack = ValidationStack(("naive_bayes", "nbsvm"), validation_size=0.25, random_state=3).fit(X, y)
    kept, _ = train_test_split(np.arange(len(y)), test_size=0.25, random_state=3, stratify=y)
    alone = make_model("naive_bayes").fit([X[i] for i in kept], y[kept])
    np.testing.assert_allclose(stack.members_[0][1].predict_proba(X), alone.predict_proba(X))


@pytest.mark.parametrize(("params", "message"), [
    ({"members": "nbsvm"}, "must be two or more model names"),
    ({"members": ("nbsvm",)}, "must be two or more model names"),
    ({"members": ("nbsvm", "ensemble_region_cnn")}, "names 'ensemble_region_cnn', a stack model"),
    ({"members": ("nbsvm", "bert")}, "Unknown model 'bert'"),
    ({"final_C": 0.0}, "'final_C' parameter of ValidationStack must be a float > 0"),
    ({"validation_size": 1.0}, "'validation_size' parameter of ValidationStack must be a float in \\(0, 1\\)"),
    ({"refit": "yes"}, "'refit' parameter of ValidationStack must be a bool"),
    ({"refit_neural": 1}, "'refit_neural' parameter of ValidationStack must be a bool"),
])
def test_bad_settings_are_refused_before_anything_is_fitted(reviews, params, message):
    X, y, *_ = reviews
    with pytest.raises(ValueError, match=message):
        ValidationStack(**{"members": ("nbsvm", "linear_svm"), **params}).fit(X, y)


def test_its_settings_are_the_stacks_own():
    assert resolved_settings("ensemble_region_cnn") == {"members": ("ensemble", "region_cnn_unlabelled"),
                                                        "final_C": 1.0, "validation_size": 0.1, "class_weight": None,
                                                        "refit": True, "refit_neural": True}
    assert parse_settings(["ensemble_region_cnn.final_C=0.3"], ["ensemble_region_cnn"]) == \
        {"ensemble_region_cnn": {"final_C": 0.3}}
    three = parse_settings(["ensemble_region_cnn.members=('nbsvm','linear_svm','fasttext')"], ["ensemble_region_cnn"])
    assert three == {"ensemble_region_cnn": {"members": ("nbsvm", "linear_svm", "fasttext")}}
    with pytest.raises(ValueError, match="ensemble_region_cnn.members must be like"):
        parse_settings(["ensemble_region_cnn.members=(1,2)"], ["ensemble_region_cnn"])
    model = make_model("ensemble_region_cnn", stopwords="minimal", seed=4, neural_overrides={"epochs": 1})
    assert model.random_state == 4 and model.neural_overrides == {"epochs": 1} and model.stopwords == "minimal"


def test_the_ensemble_and_the_region_cnn_stacked_kept_and_loaded(reviews, fixture_corpus, tmp_path):
    X, y, X_val, y_val, X_test, _ = reviews
    unlabelled = fixture_corpus.unsup["text"].tolist()
    model = make_model("ensemble_region_cnn", stopwords="minimal", seed=0,
                       neural_overrides={"epochs": 1, "verbose": 0, "num_words": 300, "filters": 16})
    with pytest.raises(ValueError, match="from unlabelled texts, which only IMDB provides"):
        model.fit(X, y, validation_data=(X_val, y_val))
    model.fit(X, y, validation_data=(X_val, y_val), unlabelled=unlabelled)
    assert [name for name, _ in model.members_] == ["ensemble", "region_cnn_unlabelled"]
    network = model.members_[1][1]
    assert network.region_vectors_[0].endswith(".txt") and network.filters == 16
    assert not hasattr(model, "history_")  # no curves of its own: the report draws none, its CNN's are its own
    assert model.final_estimator_.coef_.shape == (1, 2)

    folder = save_model(model, tmp_path / "stack", name="ensemble_region_cnn")
    manifest = read_manifest(folder)
    assert manifest["kind"] == "stack" and manifest["adapter"] == "stack"
    assert {"members/ensemble/model.skops", "members/region_cnn_unlabelled/model.keras",
            "members/region_cnn_unlabelled/state.json", "stacker.skops", "stack.json"} <= set(manifest["files"])
    loaded = load_model(folder)
    assert loaded.predict(X_test).tolist() == model.predict(X_test).tolist()
    np.testing.assert_allclose(loaded.predict_proba(X_test), model.predict_proba(X_test), rtol=0, atol=1e-6)
    for format in ("onnx", "savedmodel"):
        with pytest.raises(ValueError, match="ValidationStack of several models; only single models export"):
            export_model(folder, format, tmp_path / "export")
    assert not (tmp_path / "export").exists()

    state = json.loads((folder / "stack.json").read_text(encoding="utf-8"))
    assert state["members"] == [{"name": "ensemble", "kind": "skops"}, {"name": "region_cnn_unlabelled",
                                                                       "kind": "keras"}]
    from imdb_baselines.modelfiles.adapters import StackAdapter

    outside = {**state, "members": [{"name": "../../elsewhere", "kind": "keras"}]}
    (tmp_path / "forged").mkdir()
    (tmp_path / "forged" / "stack.json").write_text(json.dumps(outside), encoding="utf-8")
    with pytest.raises(ModelFileError, match="names a member '../../elsewhere' that is not a folder of"):
        StackAdapter().read(tmp_path / "forged")
    (folder / "members" / "ensemble" / "model.skops").write_bytes(b"not the model")
    with pytest.raises(ModelFileError, match="model.skops changed after the model was saved"):
        load_model(folder)


def test_a_manifest_naming_a_file_outside_the_folder_is_refused(reviews, tmp_path):
    X, y, *_ = reviews
    folder = save_model(make_model("naive_bayes").fit(X, y), tmp_path / "nb", name="naive_bayes")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    (tmp_path / "outside.skops").write_bytes((folder / "model.skops").read_bytes())
    for file in ("../outside.skops", "members/../../outside.skops", "."):
        digest = manifest["files"]["model.skops"]
        (folder / "manifest.json").write_text(json.dumps({**manifest, "files": {file: digest}}), encoding="utf-8")
        with pytest.raises(ModelFileError, match="which is not a file of the model's folder"):
            load_model(folder)



def test_a_stack_of_members_that_read_no_unlabelled_texts_runs_on_texts_in_memory(reviews):
    from imdb_baselines import compare

    X, y, X_val, y_val, X_test, y_test = reviews
    texts = (X + X_val, np.concatenate([y, y_val]), X_test, y_test)  # the user's own: no unlabelled reviews
    with pytest.raises(ValueError, match="ensemble_region_cnn learn word vectors from unlabelled texts"):
        compare(texts, models=["ensemble_region_cnn"])
    board = compare(texts, models=["ensemble_region_cnn"], stopwords="minimal",
                    settings=["ensemble_region_cnn.members=('nbsvm','naive_bayes')"])
    assert list(board.index) == ["ensemble_region_cnn"]
    assert board.loc["ensemble_region_cnn", "accuracy"] > 0.6


def test_a_comparison_stack_takes_the_runs_own_fits_of_its_keras_member(tmp_path):
    """With ``fasttext`` in the same comparison, the stack takes that fit (seed by seed) instead of training the
    same network again: the report is the one of the stack run alone, but for the fit seconds and the line that
    says so; a member with other settings is fitted by the stack."""
    import pandas as pd

    from imdb_baselines.cli import compare
    from tests.conftest import FIXTURE_ROOT

    def run(name, *extra):
        out = tmp_path / name
        assert compare.main(["--data", str(FIXTURE_ROOT), "--excerpt", "--bootstrap", "0", "--quiet", "--epochs", "1",
                             "--repeats", "2", "--set", "ensemble_region_cnn.members=('nbsvm','fasttext')",
                             "--out", str(out), *extra]) == 0
        data = json.loads((out / "results.json").read_text(encoding="utf-8"))
        rows = {row["model"]: row for row in data["results"]}
        return out, rows, data["seed_accuracies"], (out / "report.md").read_text(encoding="utf-8")

    shared, rows, seeds, report = run("shared", "--models", "fasttext,ensemble_region_cnn")
    alone, alone_rows, alone_seeds, alone_report = run("alone", "--models", "ensemble_region_cnn")
    line = ("`ensemble_region_cnn` took its member `fasttext` from this run's own fits of that model (the same seed, "
            "settings and texts) instead of training it again; its fit seconds include that fit's.")
    assert line in report and line not in alone_report
    assert rows["ensemble_region_cnn"]["accuracy"] == alone_rows["ensemble_region_cnn"]["accuracy"]
    assert seeds["ensemble_region_cnn"] == alone_seeds["ensemble_region_cnn"]
    np.testing.assert_allclose(pd.read_csv(shared / "predictions.csv")["ensemble_region_cnn_score"],
                               pd.read_csv(alone / "predictions.csv")["ensemble_region_cnn_score"], rtol=1e-5)
    assert rows["ensemble_region_cnn"]["fit_s"] > rows["fasttext"]["fit_s"]  # the member's fit is in its cost
    X_test = pd.read_csv(shared / "predictions.csv")["text"].tolist()
    member = dict(load_model(shared / "models" / "ensemble_region_cnn").members_)["fasttext"]
    own = load_model(shared / "models" / "fasttext")
    # refit_neural: the stack fitted the member it took again on training and validation texts, for the epoch
    # the run's own fit kept; the run's own model is left as it was fitted
    assert "val_loss" in own.history_ and "val_loss" not in member.history_
    assert (member.epochs, member.early_stopping) == (len(own.history_["loss"]), False)
    assert not np.allclose(member.decision_function(X_test), own.decision_function(X_test))
    kept = run("kept", "--models", "fasttext,ensemble_region_cnn", "--set", "ensemble_region_cnn.refit_neural=False")[0]
    np.testing.assert_array_equal(  # without the refit the stack's member is the run's own fit
        dict(load_model(kept / "models" / "ensemble_region_cnn").members_)["fasttext"].decision_function(X_test),
        load_model(kept / "models" / "fasttext").decision_function(X_test))

    other, other_rows, _, other_report = run("other", "--models", "fasttext,ensemble_region_cnn",
                                             "--set", "fasttext.learning_rate=0.001")
    assert "took its member" not in other_report
    member = dict(load_model(other / "models" / "ensemble_region_cnn").members_)["fasttext"]
    assert not np.allclose(member.decision_function(X_test),
                           load_model(other / "models" / "fasttext").decision_function(X_test))
    assert other_rows["ensemble_region_cnn"]["accuracy"] == alone_rows["ensemble_region_cnn"]["accuracy"]


def test_a_fitted_member_is_taken_only_for_the_texts_it_was_fitted_on(reviews):
    X, y, X_val, y_val, X_test, _ = reviews
    settings = {"members": ("nbsvm", "fasttext"), "stopwords": "minimal", "neural_overrides": {"epochs": 1}}
    fasttext = make_model("fasttext", stopwords="minimal", neural_overrides={"epochs": 1})
    fasttext.fit(X, y, validation_data=(X_val, y_val))
    stack = ValidationStack(**settings).fit(X, y, validation_data=(X_val, y_val),
                                            fitted_members={"fasttext": (fasttext, 12.5)})
    assert stack.taken_members_ == ["fasttext"] and dict(stack.members_)["fasttext"] is fasttext
    assert stack.member_seconds_["fasttext"] == 12.5
    # without validation texts the stack holds out a share of X, which the offered model was fitted on
    held_out = ValidationStack(**settings).fit(X, y, fitted_members={"fasttext": (fasttext, 12.5)})
    assert held_out.taken_members_ == [] and dict(held_out.members_)["fasttext"] is not fasttext
