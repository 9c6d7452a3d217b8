"""Named models of the catalogue stacked on a validation split: each member fitted once, a logistic regression
over their validation scores.

scikit-learn's ``StackingClassifier`` (the ``ensemble``) learns its stacker from out-of-fold scores, which costs
each member ``cv`` more fits; a Keras member that trains for ten minutes would cost an hour. Here each member is
fitted once on the training texts and the stacker learns from the member's scores on validation texts it never
trained on (a neural member early-stops on those same texts, as it does alone). With ``refit``, the members that
never read the validation texts are then fitted again on the training and validation texts together, as a model
whose settings are chosen is refitted on all its labelled texts; with ``refit_neural``, the Keras members too, for
the epochs their early stopping kept.
"""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import check_consistent_length, check_is_fitted

from imdb_baselines.catalog.entries import spec
from imdb_baselines.catalog.fitting import fit_model
from imdb_baselines.catalog.settings import defaults, make_model
from imdb_baselines.corpus.prepared import PreparedTexts, take_texts
from imdb_baselines.corpus.text import Stopwords
from imdb_baselines.corpus.validation import check_texts

__all__ = ["ValidationStack"]

logger = logging.getLogger(__name__)


class ValidationStack(ClassifierMixin, BaseEstimator):
    """Named models of the catalogue, each fitted on the training texts, stacked by a logistic regression fitted
    on their decision values over validation texts.

    Parameters
    ----------
    members : tuple of str, default=("ensemble", "region_cnn_unlabelled")
        Catalogue names (:data:`imdb_baselines.catalog.CATALOG`), each built with its own defaults.
    final_C : float, default=1.0
        ``C`` of the stacking logistic regression.
    validation_size : float, default=0.1
        The share of the training texts held out, stratified and seeded, when ``fit`` is given no
        ``validation_data``.
    stopwords : str, path, Stopwords or None, default=None
        The shared stopword list every member uses.
    random_state : int, default=0
        The members' seed (liblinear's shuffling, Keras' initial weights) and the held-out share's.
    neural_overrides : dict, optional
        Settings applied to every Keras member (``{"epochs": 1}``), as a comparison's ``--epochs``.
    class_weight : "balanced" or None, default=None
        Every member's ``class_weight``; the stacker stays unweighted, as the ensemble's.
    refit : bool, default=False
        After the stacker is fitted, fit the members that do not read validation texts (the baselines and the
        ensemble) again on the training and validation texts together; the stacker keeps the weights it learned
        from their scores on validation texts they had not seen. Keras members, which early-stop on the
        validation texts, keep their fit unless ``refit_neural`` is set. The refitted members' scores on the
        validation texts are then flattered: judge the stack on other texts.
    refit_neural : bool, default=False
        After the stacker is fitted, fit the Keras members again on the training and validation texts together,
        without early stopping, for the epochs their first fit kept (the epoch of least validation loss) and
        from the same pre-trained vectors (a region embedding or word vectors learned from unlabelled texts is
        read from the file the first fit learned, not learned again). The stacker keeps its weights.

    Attributes
    ----------
    members_ : list of (str, estimator)
        The fitted members, in ``members``' order.
    final_estimator_ : LogisticRegression
        The stacker, over the members' decision values (one column per member for two classes, one per class
        and member for more).
    classes_ : ndarray
    member_seconds_ : dict of str to float
        Each member's fit time (both fits of a refitted member), a taken member's as measured where it was fitted.
    refitted_epochs_ : dict of str to int
        With ``refit_neural``: each Keras member's epochs in its second fit.
    taken_members_ : list of str
        The Keras members taken from ``fit``'s ``fitted_members`` rather than fitted here.
    """

    def __init__(self, members: tuple[str, ...] = ("ensemble", "region_cnn_unlabelled"), *, final_C: float = 1.0,
                 validation_size: float = 0.1, stopwords: str | Path | Stopwords | None = None,
                 random_state: int = 0, neural_overrides: dict[str, Any] | None = None,
                 class_weight: str | None = None, refit: bool = False, refit_neural: bool = False) -> None:
        self.members = members
        self.final_C = final_C
        self.validation_size = validation_size
        self.stopwords = stopwords
        self.random_state = random_state
        self.neural_overrides = neural_overrides
        self.class_weight = class_weight
        self.refit = refit
        self.refit_neural = refit_neural

    def _check_params(self) -> None:
        if isinstance(self.members, str) or not isinstance(self.members, (tuple, list)) or len(self.members) < 2:
            raise ValueError("The 'members' parameter of ValidationStack must be two or more model names. "
                             f"Got {self.members!r} instead.")
        for name in self.members:
            if spec(name).kind not in ("baseline", "ensemble", "neural"):
                raise ValueError(f"The 'members' parameter of ValidationStack names {name!r}, a {spec(name).kind} "
                                 "model; members are the catalogue's baselines, ensemble and neural models.")
            if self.class_weight and "class_weight" not in defaults(name):
                raise ValueError(f"class_weight={self.class_weight!r}: the stack's member {name} has no class_weight.")
        if isinstance(self.final_C, bool) or not isinstance(self.final_C, (int, float)) or not self.final_C > 0:
            raise ValueError(f"The 'final_C' parameter of ValidationStack must be a float > 0. Got {self.final_C!r} "
                             "instead.")
        if isinstance(self.validation_size, bool) or not 0 < self.validation_size < 1:
            raise ValueError("The 'validation_size' parameter of ValidationStack must be a float in (0, 1). Got "
                             f"{self.validation_size!r} instead.")
        for name in ("refit", "refit_neural"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise ValueError(f"The {name!r} parameter of ValidationStack must be a bool. Got "
                                 f"{getattr(self, name)!r} instead.")

    def fit(self, X, y, validation_data: tuple | None = None, unlabelled=None,
            fitted_members: Mapping[str, tuple[Any, float]] | None = None) -> ValidationStack:
        """Fit every member on ``(X, y)``, then the stacker on their decision values over ``validation_data``.

        Parameters
        ----------
        X : iterable of str
            Training texts.
        y : array-like of shape (n_samples,)
        validation_data : (texts, labels), optional
            Texts none of ``X``; without them ``validation_size`` of ``X`` is held out, stratified and seeded.
        unlabelled : iterable of str, optional
            Unlabelled texts for the members that learn from them (IMDB's train/unsup).
        fitted_members : mapping of str to (estimator, float), optional
            Keras models the caller has already fitted on these very texts (``X``, ``validation_data`` and
            ``unlabelled``), by catalogue name, with their fit seconds: a comparison's own fits of the same seed.
            A member is taken from there instead of fitted again when the model's parameters equal those the
            stack gives that member; the others are fitted as usual. Without ``validation_data`` none is taken:
            they were fitted on the share the stack holds out.

        Returns
        -------
        self
        """
        self._check_params()
        if not isinstance(X, PreparedTexts):
            X = check_texts(X, "X")
        y = np.asarray(y)
        check_consistent_length(X, y)
        if validation_data is None:
            kept, held = train_test_split(np.arange(len(y)), test_size=self.validation_size,
                                          random_state=self.random_state, stratify=y)
            validation_data = (take_texts(X, held), y[held])
            X, y = take_texts(X, kept), y[kept]
            fitted_members = None  # fitted on all of X, the share held out here included: none is these texts'
        X_val, y_val = validation_data
        y_val = np.asarray(y_val)
        if not isinstance(X_val, PreparedTexts):
            X_val = check_texts(X_val, "validation texts")
        check_consistent_length(X_val, y_val)
        self.members_, self.member_seconds_, self.taken_members_, self._last_scored = [], {}, [], None
        for name in self.members:
            taken = self._taken_member(name, fitted_members)
            self.members_.append((name, taken if taken is not None else
                                  self._fitted_member(name, X, y, (X_val, y_val), unlabelled)))
        scores = self._member_scores(X_val)  # on five classes lbfgs can need over its default 100 iterations
        self.final_estimator_ = LogisticRegression(C=self.final_C, max_iter=1000).fit(scores, y_val)
        self.classes_ = self.final_estimator_.classes_
        self.refitted_epochs_ = {}
        if self.refit or self.refit_neural:
            X_all, y_all = _joined(X, X_val), np.concatenate([y, y_val])
            self.members_ = [(name, self._refitted(name, model, X_all, y_all, unlabelled))
                             for name, model in self.members_]
            self._last_scored = None
        return self

    def _refitted(self, name: str, model, X_all, y_all, unlabelled):
        """The member ``name`` fitted again on all the labelled texts where ``refit`` or ``refit_neural`` asks it,
        else ``model`` as it is."""
        if not spec(name).is_neural:
            return self._fitted_member(name, X_all, y_all, None, unlabelled) if self.refit else model
        if not self.refit_neural:
            return model
        self.refitted_epochs_[name] = epochs = kept_epochs(model)
        return self._fitted_member(name, X_all, y_all, None, unlabelled,
                                   settings={**same_vectors(model), "epochs": epochs, "early_stopping": False})

    def _member(self, name: str, settings: dict[str, Any] | None = None):
        """The unfitted member ``name``, built with the stack's settings (and ``settings`` over them)."""
        ours = {"class_weight": self.class_weight} if self.class_weight else {}
        return make_model(name, stopwords=self.stopwords, seed=self.random_state,
                          neural_overrides=self.neural_overrides, settings={**ours, **(settings or {})} or None)

    def _taken_member(self, name: str, fitted_members: Mapping[str, tuple[Any, float]] | None):
        """The Keras member ``name`` from ``fitted_members`` if it is the model the stack would fit, else None."""
        if not fitted_members or name not in fitted_members or not spec(name).is_neural:
            return None
        model, seconds = fitted_members[name]
        if model.get_params() != self._member(name).get_params():
            logger.info("stack member %s: the model offered has other settings; it is fitted here", name)
            return None
        self.member_seconds_[name] = float(seconds)
        self.taken_members_.append(name)
        logger.info("stack member %s taken as fitted (%.0f s) with the stack's settings", name, seconds)
        return model

    def _fitted_member(self, name: str, X, y, validation_data, unlabelled, settings: dict[str, Any] | None = None):
        """The member ``name`` built with the stack's settings and fitted; its seconds added to its total."""
        model = self._member(name, settings)
        started = time.perf_counter()
        fit_model(model, name, X, y, validation_data, unlabelled)
        seconds = time.perf_counter() - started
        self.member_seconds_[name] = self.member_seconds_.get(name, 0.0) + seconds
        logger.info("stack member %s fitted on %d texts in %.0f s", name, len(y), seconds)
        return model

    def _member_scores(self, X) -> np.ndarray:
        """The members' decision values, one column each (one per class for more than two). Texts prepared once
        (:class:`PreparedTexts`, which never change) keep their last scores, so the comparison's decision values
        and probabilities of one test set run each member once."""
        last = self.__dict__.get("_last_scored")
        if last is not None and last[0]() is X:
            return last[1]
        columns = [np.asarray(model.decision_function(X), dtype=float) for _, model in self.members_]
        scores = np.column_stack([c.reshape(len(c), -1) for c in columns])
        self._last_scored = (weakref.ref(X), scores) if isinstance(X, PreparedTexts) else None
        return scores

    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: Python's own may be the instance's __dict__
        state.pop("_last_scored", None)  # a weak reference does not pickle, and the scores belong to one run
        return state

    def decision_function(self, X) -> np.ndarray:
        """The stacker's decision values: log-odds of ``classes_[1]`` for two classes, (n, k) scores for more."""
        check_is_fitted(self, "final_estimator_")
        return self.final_estimator_.decision_function(self._member_scores(_texts(X)))

    def predict_proba(self, X) -> np.ndarray:
        """The stacker's probabilities, (n, k) in ``classes_``' order."""
        check_is_fitted(self, "final_estimator_")
        return self.final_estimator_.predict_proba(self._member_scores(_texts(X)))

    def predict(self, X) -> np.ndarray:
        """Class labels of ``X``."""
        check_is_fitted(self, "final_estimator_")
        return self.final_estimator_.predict(self._member_scores(_texts(X)))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags


def kept_epochs(model) -> int:
    """The epochs a fitted Keras model's weights come from: the epoch of least validation loss where it
    early-stopped on validation texts (its best weights restored), else every epoch it trained."""
    losses = model.history_.get("val_loss")
    if model.early_stopping and losses:
        return int(np.argmin(losses)) + 1
    return len(model.history_["loss"])


def same_vectors(model) -> dict[str, Any]:
    """Settings that make a second fit of the Keras ``model`` read the vectors files its fit learned from
    unlabelled texts rather than learn them again from other texts; several region sizes are learned again."""
    from neural.pretraining import UNLABELLED_REGIONS, UNLABELLED_WORD2VEC

    settings: dict[str, Any] = {}
    if model.embeddings == UNLABELLED_WORD2VEC:
        settings["embeddings"] = model.word_vectors_
    if model.region_embeddings == UNLABELLED_REGIONS and len(model.region_vectors_) == 1:
        settings["region_embeddings"] = model.region_vectors_[0]
    return settings


def _texts(X):
    return X if isinstance(X, PreparedTexts) else check_texts(X, "X")


def _joined(X, X_val):
    """The training texts and then the validation texts, prepared once where both were prepared alike."""
    if isinstance(X, PreparedTexts) and isinstance(X_val, PreparedTexts) and X.settings == X_val.settings:
        return PreparedTexts.concatenate(X, X_val)
    return [*X, *X_val]
