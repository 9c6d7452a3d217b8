"""Classical bag-of-words baselines as scikit-learn pipelines over raw review texts.

Every baseline uses the corpus layer's single tokenizer and stopword filter
(:class:`imdb_baselines.corpus.TextPreprocessor`), the same one the neural models use.

The named models of a comparison (``naive_bayes``, ``nbsvm``...) are entries of
the model catalogue (:mod:`imdb_baselines.catalog`), built by these factories.
"""

from baselines.ensemble import TokenSpan, make_ensemble
from baselines.features import NgramVectorizer
from baselines.inspect import explain, top_features
from baselines.naive_bayes import NaiveBayesClassifier, make_naive_bayes
from baselines.nbsvm import NBSVMClassifier, make_nbsvm
from baselines.svm import make_linear_svm

__all__ = [
    "NaiveBayesClassifier",
    "NBSVMClassifier",
    "NgramVectorizer",
    "TokenSpan",
    "explain",
    "make_ensemble",
    "make_linear_svm",
    "make_naive_bayes",
    "make_nbsvm",
    "top_features",
]
