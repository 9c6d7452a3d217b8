"""Multinomial Naive Bayes on binarized bag-of-n-grams counts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_consistent_length

from baselines.features import NgramVectorizer
from imdb_baselines.corpus.text import Stopwords
from imdb_baselines.corpus.validation import check_class_weight, check_classification_target

__all__ = ["NaiveBayesClassifier", "make_naive_bayes"]


class NaiveBayesClassifier(MultinomialNB):
    """``MultinomialNB`` that refuses a single class, has ``decision_function`` and smooths filled columns only.

    A classifier fitted on one class only would predict that class for every
    text; this is almost always a mistake in the data, so it is an error here
    as it is for scikit-learn's linear models. Columns no training text fills
    (hashed n-grams leave most of them empty) are neither smoothed nor scored,
    so a hashed model is the vocabulary's up to collisions.
    """

    def fit(self, X, y, sample_weight=None) -> NaiveBayesClassifier:
        """Fit as ``MultinomialNB`` after checking that ``y`` has at least two classes."""
        check_consistent_length(X, y)
        check_classification_target(y, type(self).__name__)
        return super().fit(X, y, sample_weight=sample_weight)

    def _update_feature_log_prob(self, alpha) -> None:
        """As ``MultinomialNB``'s, but over the columns some training text fills; the others' log probability is 0.

        With a vocabulary every column is an n-gram of the training texts, and this is ``MultinomialNB``'s.
        Hashed into ``2**hash_bits`` columns, a few thousand short texts fill a few thousand columns, and
        smoothing the millions of empty ones put ``alpha`` times millions into every class's total, which
        drowned the classes' own totals (their sizes). An empty column scores 0 in every class: an n-gram no
        training text has adds nothing to a text's score, as with a vocabulary, which drops it.
        """
        filled = self.feature_count_.sum(axis=0) > 0
        if filled.all():
            super()._update_feature_log_prob(alpha)
            return
        alpha = np.asarray(alpha, dtype=np.float64)
        smoothed = self.feature_count_[:, filled] + (alpha[filled] if alpha.ndim else alpha)
        self.feature_log_prob_ = np.zeros_like(self.feature_count_)
        self.feature_log_prob_[:, filled] = np.log(smoothed) - np.log(smoothed.sum(axis=1, keepdims=True))

    def _joint_log_likelihood(self, X) -> np.ndarray:
        """As ``MultinomialNB``'s, but a few texts only touch the weights of their own n-grams.

        scipy's sparse-times-dense product copies the whole (n_features, n_classes) weight matrix on every
        call; for a request of one review over millions of n-grams that copy is most of the time.
        """
        if sp.issparse(X) and X.nnz < self.feature_log_prob_.shape[1] // 8:
            X = sp.csr_matrix(X)
            own = sp.csr_matrix((X.data, np.arange(X.nnz), X.indptr), shape=(X.shape[0], X.nnz))
            return np.asarray(own @ self.feature_log_prob_[:, X.indices].T) + self.class_log_prior_
        return super()._joint_log_likelihood(X)

    def decision_function(self, X) -> np.ndarray:
        """Two classes: log posterior odds of ``classes_[1]`` (positive means ``classes_[1]``).

        More classes: the log posterior of each class, shape (n_samples, n_classes). (Not the joint
        log likelihood, which falls with a text's length and so cannot rank texts for one class.)
        """
        joint = self.predict_joint_log_proba(X)
        return joint[:, 1] - joint[:, 0] if joint.shape[1] == 2 else self.predict_log_proba(X)

    def probabilities_from_decision(self, scores: np.ndarray) -> np.ndarray:
        """The posterior (:meth:`predict_proba`) from :meth:`decision_function`'s values, without the texts.

        Examples
        --------
        >>> NaiveBayesClassifier().probabilities_from_decision(np.array([0.0])).tolist()
        [[0.5, 0.5]]
        """
        scores = np.asarray(scores, dtype=float)
        if scores.ndim == 1:
            positive = 1.0 / (1.0 + np.exp(-scores))
            return np.column_stack([1.0 - positive, positive])
        return np.exp(scores)


def make_naive_bayes(
    *,
    ngram_range: tuple[int, int] = (1, 3),
    alpha: float = 1.0,
    binary: bool = True,
    min_df: int | float = 1,
    stopwords: str | Path | Stopwords | None = None,
    class_weight: str | None = None,
    hash_bits: int | None = None,
) -> Pipeline:
    """Multinomial Naive Bayes over raw review texts.

    Defaults (binarized uni- to trigram counts, alpha = 1.0, min_df = 1) were
    chosen by 5-fold cross-validation on the training split only
    (``benchmarks/tune_baselines.py``): trigrams beat bigrams (0.8945 against
    0.8856 mean accuracy) and unigrams (0.8564); alpha = 0.3 scored 0.8950,
    within the folds' spread (std 0.0026) of Laplace smoothing, which is kept.
    Binarized counts are Wang & Manning's (2012) MNB setting.

    Parameters
    ----------
    ngram_range : tuple (min_n, max_n), default=(1, 3)
        N-gram orders counted.
    alpha : float, default=1.0
        Additive (Laplace/Lidstone) smoothing of ``MultinomialNB``.
    binary : bool, default=True
        Count presence instead of occurrences.
    min_df : int or float, default=1
        Drop n-grams seen in fewer training documents.
    stopwords : str, path, Stopwords or None, default=None
        The shared stopword list (``None``: the corpus default).
    class_weight : "balanced" or None, default=None
        "balanced": every class gets the same prior (``fit_prior=False``), so no class wins for being frequent;
        None: the priors are the training classes' shares.
    hash_bits : int or None, default=None
        Hashed n-grams in ``2**hash_bits`` columns instead of a vocabulary (see :class:`~baselines.NgramVectorizer`).

    Returns
    -------
    Pipeline
        Steps ``vectorizer`` (:class:`~baselines.NgramVectorizer`) and
        ``classifier`` (:class:`NaiveBayesClassifier`); ``predict_proba`` gives the
        posterior and ``decision_function`` its log odds.

    Examples
    --------
    >>> model = make_naive_bayes().fit(
    ...     ["a great film", "great acting", "the worst film", "worst plot ever"], [1, 1, 0, 0])
    >>> model.predict(["great plot", "worst acting"]).tolist()
    [1, 0]
    """
    check_class_weight(class_weight, "make_naive_bayes")
    return Pipeline(
        [
            ("vectorizer", NgramVectorizer(ngram_range=ngram_range, min_df=min_df, binary=binary,
                                           stopwords=stopwords, hash_bits=hash_bits)),
            ("classifier", NaiveBayesClassifier(alpha=alpha, fit_prior=class_weight is None)),
        ]
    )
