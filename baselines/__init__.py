"""Classical bag-of-words baselines as scikit-learn pipelines over raw review texts.

Every baseline uses the corpus layer's single tokenizer and stopword filter
(:class:`corpus.TextPreprocessor`), the same one the neural models use.
"""

from baselines.ensemble import TokenSpan, make_ensemble
from baselines.features import NgramVectorizer
from baselines.inspect import explain, top_features
from baselines.naive_bayes import NaiveBayesClassifier, make_naive_bayes
from baselines.nbsvm import NBSVMClassifier, make_nbsvm
from baselines.svm import make_linear_svm

#: Registered baselines by name, each a factory of an unfitted pipeline.
BASELINES = {
    "naive_bayes": make_naive_bayes,
    "linear_svm": make_linear_svm,
    "nbsvm": make_nbsvm,
    "ensemble": make_ensemble,
}

__all__ = [
    "BASELINES",
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
