"""Other engines that run the comparison's models: :mod:`engines.spark` runs the baselines on Apache Spark.

Importing this package imports no engine: ``compare.py`` reads :data:`SPARK_MODELS` without pyspark.
"""

#: The models the Spark engine runs.
SPARK_MODELS = ("naive_bayes", "linear_svm", "nbsvm")

__all__ = ["SPARK_MODELS"]
