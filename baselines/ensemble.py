"""A stacked ensemble: NBSVM and the linear SVM over the whole review, and NBSVM over its ending.

A review's verdict sits mostly in its last sentences ("in the end, a waste of
two hours"); NBSVM over the whole review weighs an n-gram the same wherever it
stands. A third member reads only the last ``span`` tokens, and a logistic
regression stacks the members' decision values, fitted on their out-of-fold
values over the training texts (scikit-learn's ``StackingClassifier``), so the
stacker never sees a score of a text its member was trained on. The folds are
contiguous, not shuffled: IMDB numbers each movie's reviews consecutively, so
the out-of-fold values come from movies the member never saw, as on the test
set. The members and ``span`` were chosen by that cross-validation on the
training split only (``benchmarks/ensemble_members.py``).
"""

from __future__ import annotations

from numbers import Integral
from pathlib import Path

from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.ensemble import StackingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from baselines.nbsvm import make_nbsvm
from baselines.svm import make_linear_svm
from imdb_baselines.corpus.prepared import PreparedTexts, prepare
from imdb_baselines.corpus.text import Stopwords, TextPreprocessor
from imdb_baselines.corpus.validation import check_texts

__all__ = ["TokenSpan", "make_ensemble", "make_span_nbsvm"]


class TokenSpan(TransformerMixin, BaseEstimator):
    """Keep each text's tokens ``[start:stop]`` (Python's slicing) after the shared text preparation.

    Parameters
    ----------
    start, stop : int or None, default=None
        Token positions; negative ones count from the end (``start=-100``: the last 100 tokens).
    stopwords : str, path, Stopwords or None, default=None
        The shared stopword list, removed before the tokens are counted.

    Examples
    --------
    >>> TokenSpan(start=-2, stopwords="none").fit_transform(["Slow at first, great at the end"]).tokens()
    [['the', 'end']]
    """

    def __init__(self, *, start: int | None = None, stop: int | None = None,
                 stopwords: str | Path | Stopwords | None = None) -> None:
        self.start = start
        self.stop = stop
        self.stopwords = stopwords

    def _check_params(self) -> None:
        for name in ("start", "stop"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, Integral)):
                raise ValueError(f"The '{name}' parameter of TokenSpan must be an int or None. Got {value!r} instead.")

    def fit(self, X, y=None) -> TokenSpan:
        """Check the parameters (nothing is learned)."""
        self._check_params()
        check_texts(X, "X")
        self.preprocessor_ = TextPreprocessor(self.stopwords)
        return self

    def transform(self, X) -> PreparedTexts:
        """The texts' prepared tokens, cut to the span (the raw texts are kept alongside)."""
        if not hasattr(self, "preprocessor_"):
            self.fit(X)
        return prepare(check_texts(X, "X"), self.preprocessor_).span(self.start, self.stop)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.requires_fit = False
        return tags


def make_span_nbsvm(*, start: int | None = None, stop: int | None = None,
                    stopwords: str | Path | Stopwords | None = None, **settings) -> Pipeline:
    """:func:`~baselines.make_nbsvm` that reads only each text's tokens ``[start:stop]`` (:class:`TokenSpan`).

    Parameters
    ----------
    start, stop : int or None
        The span, as Python slices (``start=-50``: the last 50 tokens).
    stopwords : str, path, Stopwords or None
        The shared stopword list.
    **settings
        :func:`~baselines.make_nbsvm`'s other settings.

    Returns
    -------
    Pipeline
        Steps ``span``, ``vectorizer`` and ``classifier``.
    """
    return Pipeline([("span", TokenSpan(start=start, stop=stop, stopwords=stopwords)),
                     *make_nbsvm(stopwords=stopwords, **settings).steps])


def make_ensemble(
    *,
    span: int = 50,
    final_C: float = 1.0,
    cv: int = 5,
    stopwords: str | Path | Stopwords | None = None,
    random_state: int | None = 0,
    class_weight: str | None = None,
    hash_bits: int | None = None,
) -> StackingClassifier:
    """Stacked NBSVM and linear SVM over the whole review and NBSVM over its last ``span`` tokens.

    The members are :func:`~baselines.make_nbsvm` and
    :func:`~baselines.make_linear_svm` with their defaults, and NBSVM after
    :class:`TokenSpan`. A logistic regression (scikit-learn's defaults but ``C``)
    combines their decision values, fitted on ``cv`` contiguous stratified
    folds' out-of-fold values over the training texts; the members are then
    refit on all of them. Fitting costs ``cv + 1`` fits of each member.

    Parameters
    ----------
    span : int, default=50
        Tokens (after stopword filtering) the ending member reads.
    final_C : float, default=1.0
        ``C`` of the stacking logistic regression (``final_estimator__C`` of the returned model).
    cv : int, default=5
        Stratified folds, in the texts' order, of the out-of-fold decision values the stacker learns from.
    stopwords : str, path, Stopwords or None, default=None
        The shared stopword list.
    random_state : int or None, default=0
        Seed of the members' liblinear shuffling.
    class_weight : "balanced" or None, default=None
        The members': "balanced" weighs each class inversely to its frequency. The stacker stays unweighted:
        weighing it too cost 13 points of accuracy and 6 of balanced accuracy on TREC's six classes
        (``benchmarks/skewed_classes.py``).
    hash_bits : int or None, default=None
        The members' hashed n-grams (see :class:`~baselines.NgramVectorizer`); None: vocabularies.

    Returns
    -------
    StackingClassifier
        Members ``nbsvm``, ``linear_svm`` and ``ending`` (nested settings such as
        ``nbsvm__classifier__C`` are its parameters); ``predict_proba`` comes from the stacker.

    Examples
    --------
    >>> texts = ["a great film", "great acting", "the worst film", "worst plot ever"] * 2
    >>> model = make_ensemble(span=2, cv=2).fit(texts, [1, 1, 0, 0] * 2)
    >>> model.predict(["great plot", "worst acting"]).tolist()
    [1, 0]
    """
    if isinstance(span, bool) or not isinstance(span, Integral) or span < 1:
        raise ValueError(f"The 'span' parameter of make_ensemble must be an int >= 1. Got {span!r} instead.")
    options = {"stopwords": stopwords, "random_state": random_state, "class_weight": class_weight,
               "hash_bits": hash_bits}
    members = [("nbsvm", make_nbsvm(**options)), ("linear_svm", make_linear_svm(**options)),
               ("ending", make_span_nbsvm(start=-span, **options))]
    return StackingClassifier(members, final_estimator=LogisticRegression(C=final_C, max_iter=1000), cv=cv,
                              stack_method="decision_function")
