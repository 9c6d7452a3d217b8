"""Naive Bayes on Spark: Spark ML's ``NaiveBayes``, turned into the local model where the two differ.

Spark's multinomial model and :class:`baselines.naive_bayes.NaiveBayesClassifier` count and smooth alike, with
two exceptions, both mended on the scores:

- ``class_weight="balanced"``: the local model takes equal priors (``fit_prior=False``), so each class's log
  prior becomes log(1 / k);
- hashed n-grams: Spark smooths every one of the 2^``hash_bits`` columns, the local model only the columns
  some training text fills, and an empty column scores 0 there.
"""

from __future__ import annotations

import numpy as np

__all__ = ["fit_naive_bayes", "naive_bayes_scores"]


def fit_naive_bayes(counts, column: str, *, alpha: float, n_classes: int, n_features: int, hashed: bool):
    """Spark's model on ``counts`` (label positions in ``y``), and what :func:`naive_bayes_scores` needs to make
    its scores the local model's on hashed columns (None with a vocabulary, or when every column is filled)."""
    from pyspark.ml.classification import NaiveBayes

    if hashed and not alpha > 0:
        raise ValueError(f"naive_bayes: alpha must be above 0 with hash_bits on the Spark engine (Spark's NaiveBayes "
                         f"scores an empty column log(0), which no shift undoes); got {alpha!r}.")
    model = NaiveBayes(featuresCol=column, labelCol="y", smoothing=alpha, modelType="multinomial").fit(counts)
    return model, _empty_columns(counts, column, alpha, n_classes, n_features) if hashed else None


def _empty_columns(counts, column: str, alpha: float, n_classes: int, n_features: int) -> dict | None:
    """Per class, what each count adds to Spark's score for the local one: in a filled column and in an empty one.

    Spark's log probability of column j in class c is log(n_cj + alpha) − log(N_c + n_features · alpha); the
    local model's is log(n_cj + alpha) − log(N_c + filled · alpha) on a filled column and 0 on an empty one.
    ``mask`` marks the filled columns, in bits (:func:`numpy.packbits`).
    """
    from pyspark.ml.stat import Summarizer
    from pyspark.sql import functions as F

    filled = counts.select(Summarizer.numNonZeros(counts[column]).alias("n")).first()["n"].toArray() > 0
    if filled.all():
        return None

    @F.udf("double")
    def mass(vector):
        return float(vector.values.sum())

    sums = dict(counts.groupBy("y").agg(F.sum(mass(column))).collect())
    totals = np.array([sums.get(position, 0.0) for position in range(n_classes)])
    spark_denominators = np.log(totals + n_features * alpha)
    return {"filled": spark_denominators - np.log(totals + filled.sum() * alpha),
            "empty": spark_denominators - np.log(alpha), "mask": np.packbits(filled)}


def naive_bayes_scores(model, counts, column: str, *, n_classes: int, equal_priors: bool,
                       empty_columns: dict | None):
    """``counts`` with ``scores`` (the positive class's log odds for two classes, each class's log posterior
    otherwise) and ``probability`` (the posterior), as the local model gives them."""
    from pyspark.ml.functions import vector_to_array
    from pyspark.sql import functions as F

    scored = model.transform(counts)
    joint, probability = vector_to_array("rawPrediction"), vector_to_array("probability")
    shifts = []
    if equal_priors:
        log_priors = model.pi.toArray()
        shifts.append(F.array(*[F.lit(float(value)) for value in -np.log(len(log_priors)) - log_priors]))
    if empty_columns is not None:  # a column of its own: Spark runs no Python function inside an array's lambda
        scored = scored.withColumn("_shift", _shift(empty_columns, column, counts.sparkSession.sparkContext))
        shifts.append(F.col("_shift"))
    if shifts:
        for shift in shifts:
            joint = F.zip_with(joint, shift, lambda value, change: value + change)
        top = F.array_max(joint)
        exponentials = F.transform(joint, lambda value: F.exp(value - top))
        total = F.aggregate(exponentials, F.lit(0.0), lambda sum_, value: sum_ + value)
        probability = F.transform(exponentials, lambda value: value / total)
    score = F.array(joint[1] - joint[0]) if n_classes == 2 else F.transform(probability, lambda p: F.log(p))
    return scored.withColumn("scores", score).withColumn("probability", probability)


def _shift(empty_columns: dict, column: str, context):
    """A column of arrays: per class, what :func:`_empty_columns` says each text's counts add to its score."""
    from pyspark.sql import functions as F

    shared = context.broadcast(empty_columns)

    @F.udf("array<double>")
    def shift(vector):
        values = shared.value
        empty = (values["mask"][vector.indices >> 3] >> (7 - (vector.indices & 7))) & 1 == 0
        in_empty = float(vector.values[empty].sum())
        return (values["filled"] * (float(vector.values.sum()) - in_empty) + values["empty"] * in_empty).tolist()

    return shift(F.col(column))
