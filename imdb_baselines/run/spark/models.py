"""Naive Bayes, the linear SVM and NBSVM as Spark ML stages, with the local baselines' features and settings.

Each model takes the local model's settings (:func:`imdb_baselines.catalog.resolved_settings`, so ``--set``
works for both engines), fits on a DataFrame with the columns ``tokens`` and ``y`` (a label position),
and :meth:`scores` adds ``scores`` (array: the positive class's margin for two classes, one per class
otherwise) and ``probability`` (Naive Bayes only). The linear SVM and NBSVM are fitted by one of two
solvers: ``"newton"`` (the default), liblinear's trust-region Newton method on Spark
(:mod:`imdb_baselines.run.spark.newton`), which minimises the local models' own objectives (squared hinge or
logistic loss, a regularised bias); or ``"lbfgs"``, Spark's ``LinearSVC`` (hinge loss) and
``LogisticRegression`` with ``regParam = 1 / (C * n)``, the same objective scaled by ``1 / (C * n)``,
whose L-BFGS stops far from the minimiser on NBSVM's features (``README.md``, "Beyond one machine").
``class_weight="balanced"`` gives Naive Bayes equal priors and, with the Newton solver, each class liblinear's
``C`` (:func:`imdb_baselines.run.newton.liblinear_costs`), as the local models. Naive Bayes is Spark's, made
the local model where the two differ (:mod:`imdb_baselines.run.spark.naive_bayes`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np

from baselines.ratios import interpolated_weights, log_count_ratio
from imdb_baselines.run.newton import liblinear_costs
from imdb_baselines.run.spark import newton
from imdb_baselines.run.spark.naive_bayes import fit_naive_bayes, naive_bayes_scores
from imdb_baselines.run.spark.preparation import HashedCounts, ngram_stages

__all__ = ["SOLVERS", "SparkModel", "describe_solver", "make_spark_model"]

logger = logging.getLogger(__name__)

_TERMS, _COUNTS, _FEATURES = "_terms", "_counts", "_features"
_MAX_VOCABULARY = 1 << 30  # keep every n-gram, as the local vectorizer does (min_df aside)
MAX_ITER = 100  # L-BFGS iterations of Spark's LinearSVC (its default)
TOL = 1e-6  # its convergence tolerance
SOLVERS = ("newton", "lbfgs")
CONCURRENT_FITS = 4  # one-against-the-rest fits at a time: NBSVM caches each one's rows while it runs


def describe_solver(solver: str) -> str:
    """How the Spark engine fits the linear SVM and NBSVM with ``solver``, for the report's provenance."""
    if solver == "newton":
        return (f"liblinear's trust-region Newton method on Spark (squared hinge or logistic loss as the local "
                f"models, regularised bias; tol {newton.TOL} of the first gradient's norm, at most "
                f"{newton.MAX_ITER} iterations)")
    return (f"Spark LinearSVC / LogisticRegression (hinge or logistic loss, L-BFGS, maxIter {MAX_ITER}, tol {TOL}, "
            "standardization off), regParam = 1 / (C * n_train)")


class SparkModel:
    """A fitted-on-Spark baseline: ``fit(frame)``, then ``scores(frame)``.

    Parameters
    ----------
    name : str
        ``naive_bayes``, ``linear_svm`` or ``nbsvm``.
    settings : dict
        The local model's resolved settings (``ngram_range``, ``min_df``, ``alpha``, ``C``, ``beta``,
        ``loss``, ``binary``); unknown keys are ignored, missing ones take the local defaults.
    n_classes : int
        Number of classes (label positions ``0 .. n_classes - 1`` in column ``y``).
    solver : {"newton", "lbfgs"}, default="newton"
        How the linear SVM and NBSVM are fitted (see the module).
    """

    def __init__(self, name: str, settings: dict[str, Any], n_classes: int, solver: str = "newton") -> None:
        if solver not in SOLVERS:
            raise ValueError(f"solver must be one of {', '.join(SOLVERS)}, not {solver!r}")
        self.name = name
        self.settings = settings
        self.n_classes = n_classes
        self.solver = solver

    # -- features -------------------------------------------------------------------------------------------
    def _vectorize(self, frame, binary: bool, shared: dict | None):
        """Fit the n-gram vocabulary, or take the one in ``shared`` that another model fitted with the same settings."""
        from pyspark.ml import Pipeline
        from pyspark.ml.feature import CountVectorizer

        min_df = self.settings.get("min_df", 1)
        ngram_range = tuple(self.settings.get("ngram_range", (1, 2)))
        bits = self.settings.get("hash_bits")
        key = (ngram_range, min_df, binary, bits)
        if shared is not None and key in shared:
            self.vectorizer_ = shared[key]
        elif bits is not None:  # no vocabulary to fit: the package's own hash, as the local vectorizer
            if min_df != 1:
                raise ValueError(f"{self.name}: min_df must be 1 with hash_bits (hashed n-grams have no vocabulary "
                                 f"to prune); got {min_df!r}.")
            self.vectorizer_ = HashedCounts(ngram_range, bits, binary, _COUNTS)
        else:
            counter = CountVectorizer(inputCol=_TERMS, outputCol=_COUNTS, binary=binary,
                                      vocabSize=_MAX_VOCABULARY, minDF=float(min_df))
            self.vectorizer_ = Pipeline(stages=ngram_stages(ngram_range, _TERMS) + [counter]).fit(frame)
            if shared is not None:
                shared[key] = self.vectorizer_
        self.n_features_ = (self.vectorizer_.n_features if bits is not None
                            else len(self.vectorizer_.stages[-1].vocabulary))
        logger.info("%s on Spark: %s n-grams", self.name, f"{self.n_features_:,}")

    def _counts(self, frame):
        return self.vectorizer_.transform(frame).drop(_TERMS, "tokens")

    # -- fit ------------------------------------------------------------------------------------------------
    def fit(self, frame, *, vectorizers: dict | None = None) -> SparkModel:
        """Fit on the rows of ``frame`` (columns ``tokens`` and ``y``).

        ``vectorizers`` holds fitted n-gram vocabularies by (ngram_range, min_df, binary), shared by the models of
        one run on the same rows (Naive Bayes and NBSVM count the same binary uni- to trigrams by default).
        """
        from pyspark import StorageLevel

        kind = self.name
        self._check_class_weight()
        self._vectorize(frame, kind != "linear_svm" and self.settings.get("binary", True), vectorizers)
        if self.settings.get("class_weight") is not None and kind != "naive_bayes":  # the SVMs' per-class C
            rows = {row["y"]: row["count"] for row in frame.groupBy("y").count().collect()}
            self.class_rows_ = np.array([rows.get(position, 0) for position in range(self.n_classes)])
        counts = self._counts(frame)
        cores = frame.sparkSession.sparkContext.defaultParallelism
        if counts.rdd.getNumPartitions() > cores:  # each partition sends a dense gradient per L-BFGS step
            counts = counts.coalesce(cores)
        counts = counts.persist(StorageLevel.MEMORY_AND_DISK)
        try:
            if kind == "naive_bayes":
                self._fit_naive_bayes(counts)
            elif kind == "linear_svm":
                self._fit_linear_svm(counts)
            else:
                self._fit_nbsvm(counts)
        finally:
            counts.unpersist()
        return self

    def _check_class_weight(self) -> None:
        """``class_weight``: None or "balanced", the latter with the Newton solver (its per-class C is liblinear's)."""
        class_weight = self.settings.get("class_weight")
        if class_weight is None:
            return
        if class_weight != "balanced":
            raise ValueError(f"{self.name}: the Spark engine weighs classes with class_weight='balanced' only; got "
                             f"{class_weight!r}.")
        if self.solver != "newton" and self.name != "naive_bayes":
            raise ValueError(f"{self.name}: class_weight needs the Newton solver (--spark-solver newton), whose "
                             "per-class C is liblinear's.")

    def _fit_naive_bayes(self, counts) -> None:
        self.classifier_, self.empty_columns_ = fit_naive_bayes(
            counts, _COUNTS, alpha=float(self.settings["alpha"]), n_classes=self.n_classes,
            n_features=self.n_features_, hashed=self.settings.get("hash_bits") is not None)

    def _tfidf(self, counts):
        """Sublinear term frequency (1 + log tf), scikit-learn's smooth idf, L2 rows: the local linear SVM's."""
        from pyspark.ml.feature import ElementwiseProduct, Normalizer
        from pyspark.ml.linalg import SparseVector, VectorUDT
        from pyspark.sql import functions as F

        @F.udf(VectorUDT())
        def sublinear(vector):
            return SparseVector(vector.size, vector.indices, 1.0 + np.log(vector.values))

        scaled = counts.withColumn(_COUNTS, sublinear(_COUNTS))
        if not hasattr(self, "idf_"):
            from pyspark.ml.feature import IDF

            fitted = IDF(inputCol=_COUNTS, outputCol="_unused").fit(counts)
            frequency = np.asarray(fitted.docFreq, dtype=np.float64)
            self.idf_ = np.log((1.0 + fitted.numDocs) / (1.0 + frequency)) + 1.0
        from pyspark.ml.linalg import DenseVector

        weighted = ElementwiseProduct(scalingVec=DenseVector(self.idf_), inputCol=_COUNTS,
                                      outputCol="_weighted").transform(scaled)
        return Normalizer(p=2.0, inputCol="_weighted", outputCol=_FEATURES).transform(weighted) \
            .drop(_COUNTS, "_weighted")

    def _targets(self) -> list[int]:
        """The positive class of each one-against-the-rest problem (one problem for two classes)."""
        return [1] if self.n_classes == 2 else list(range(self.n_classes))

    def _linear_models(self, frame, targets: list[int]) -> list[tuple[np.ndarray, float]]:
        """The linear model of each ``target`` against the rest, on column ``_features``: [(weights, bias)].

        The rows are cached once for all targets: as CSR blocks for the Newton solver, as the DataFrame for L-BFGS.
        """
        from pyspark import StorageLevel

        loss, C = self.settings.get("loss", "svm"), float(self.settings["C"])
        if self.solver == "newton":
            blocks = newton.to_blocks(frame, _FEATURES)
            try:
                if len(targets) > 1:
                    blocks.count()  # cached before the targets' fits read it side by side

                def newton_fit(target: int) -> tuple[np.ndarray, float]:
                    costs = liblinear_costs(self.settings.get("class_weight"), getattr(self, "class_rows_", None),
                                            target, own_problem=self.name == "nbsvm")
                    w, b, iterations = newton.fit_linear(blocks, self.n_features_,
                                                         newton.LinearProblem(C, loss, target, costs))
                    logger.info("%s on Spark: class %d, %d Newton iterations", self.name, target, iterations)
                    return w, b

                return _each_target(newton_fit, targets, frame)
            finally:
                blocks.unpersist()
        from pyspark.ml.classification import LinearSVC, LogisticRegression
        from pyspark.sql import functions as F

        frame = frame.persist(StorageLevel.MEMORY_AND_DISK)
        try:
            n = frame.count()

            def lbfgs_fit(target: int) -> tuple[np.ndarray, float]:
                labelled = frame.withColumn("_target", (F.col("y") == target).cast("double"))
                shared = dict(featuresCol=_FEATURES, labelCol="_target", regParam=1.0 / (C * n),
                              standardization=False, maxIter=MAX_ITER, tol=TOL)
                if loss == "logistic":
                    fitted = LogisticRegression(family="binomial", **shared).fit(labelled)
                else:
                    fitted = LinearSVC(**shared).fit(labelled)
                summary = fitted.summary() if callable(fitted.summary) else fitted.summary
                logger.info("%s on Spark: class %d, %d L-BFGS iterations", self.name, target, summary.totalIterations)
                return fitted.coefficients.toArray(), float(fitted.intercept)

            return _each_target(lbfgs_fit, targets, frame)
        finally:
            frame.unpersist()

    def _fit_linear_svm(self, counts) -> None:
        pairs = self._linear_models(self._tfidf(counts), self._targets())
        self.coef_ = np.vstack([w for w, _ in pairs])
        self.intercept_ = np.array([b for _, b in pairs])

    def _fit_nbsvm(self, counts) -> None:
        """r from one aggregation of class-wise sums, r ∘ x̂ by ``ElementwiseProduct``, the SVM, interpolation."""
        from pyspark.ml.feature import ElementwiseProduct
        from pyspark.ml.linalg import DenseVector
        from pyspark.ml.stat import Summarizer

        alpha, beta = float(self.settings["alpha"]), float(self.settings["beta"])
        sums = {row["y"]: row["sum"].toArray() for row in
                counts.groupBy("y").agg(Summarizer.sum(counts[_COUNTS]).alias("sum")).collect()}
        total = sum(sums.values())

        def fit_target(target: int) -> tuple[np.ndarray, np.ndarray, float]:
            positive = np.asarray(sums.get(target, 0.0))
            r = log_count_ratio(positive, total - positive, alpha)
            scaled = ElementwiseProduct(scalingVec=DenseVector(r), inputCol=_COUNTS, outputCol=_FEATURES) \
                .transform(counts)
            ((w, b),) = self._linear_models(scaled, [target])
            w_interp = interpolated_weights(w, beta, total > 0)  # as the local NBSVM: toward Naive Bayes
            return r, r * w_interp, beta * b  # on binary x̂: the score is x̂ · (r ∘ w') + b'

        fitted = _each_target(fit_target, self._targets(), counts)
        self.r_ = np.vstack([r for r, _, _ in fitted])
        self.coef_ = np.vstack([coef for _, coef, _ in fitted])
        self.intercept_ = np.array([b for _, _, b in fitted])

    # -- scores ---------------------------------------------------------------------------------------------
    def scores(self, frame):
        """``frame`` with ``scores`` (array of double) and ``probability`` (array, or null): see the module."""
        from pyspark.sql import functions as F

        kept = [c for c in frame.columns if c != "tokens"]
        counts = self._counts(frame)
        if self.name == "naive_bayes":
            scored = naive_bayes_scores(self.classifier_, counts, _COUNTS, n_classes=self.n_classes,
                                        equal_priors=self.settings.get("class_weight") is not None,
                                        empty_columns=self.empty_columns_)
            return scored.select(*kept, "scores", "probability")
        features = self._tfidf(counts) if self.name == "linear_svm" else counts.withColumnRenamed(_COUNTS, _FEATURES)
        weights = frame.sparkSession.sparkContext.broadcast((self.coef_, self.intercept_))

        @F.udf("array<double>")
        def margins(vector):
            coef, intercept = weights.value
            return (coef[:, vector.indices] @ vector.values + intercept).tolist()

        return features.select(*kept, margins(_FEATURES).alias("scores"),
                               F.lit(None).cast("array<double>").alias("probability"))


def _each_target(fit: Callable[[int], Any], targets: list[int], frame) -> list:
    """``fit(target)`` for each target, in order, with up to :data:`CONCURRENT_FITS` (and no more than the session's
    cores) running side by side.

    Each Newton step is a few short Spark jobs, and on small data their latency, more than their work, sets the
    pace: with two cores, TREC's six classes fit in 71 % (the test suite's excerpt) to 86 % (its 5,452 training
    questions) of the time one after the other takes (``benchmarks/spark_classes.py``), as Spark's own
    ``OneVsRest(parallelism=...)`` fits its classes. Each fit is the same computation either way.
    """
    workers = min(len(targets), CONCURRENT_FITS, frame.sparkSession.sparkContext.defaultParallelism)
    if workers < 2:
        return [fit(target) for target in targets]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="spark-one-vs-rest") as pool:
        return list(pool.map(fit, targets))


def make_spark_model(name: str, settings: dict[str, Any], n_classes: int, solver: str = "newton") -> SparkModel:
    """The Spark twin of the local model ``name`` with its resolved ``settings`` (``solver``: see the module)."""
    if name not in ("naive_bayes", "linear_svm", "nbsvm"):
        raise ValueError(f"The Spark engine runs naive_bayes, linear_svm and nbsvm; {name!r} is not one of them.")
    return SparkModel(name, settings, n_classes, solver)
