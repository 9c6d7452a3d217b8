"""The classical baselines as Spark ML pipelines, on the same data, splits, tokens and report as the local engine.

Only this package imports ``pyspark`` (the optional ``spark`` extra); the local engine never does.

- :mod:`engines.spark.session`: start or join a Spark session (``local[2]``, ``spark://...``, ``yarn``).
- :mod:`engines.spark.data`: read the data source into Spark, with the local engine's split.
- :mod:`engines.spark.preparation`: the shared tokenizer in a pandas UDF, Spark's stopword remover and n-grams.
- :mod:`engines.spark.models`: Naive Bayes, the linear SVM and NBSVM as Spark ML stages.
- :mod:`engines.spark.newton`: liblinear's trust-region Newton method, distributed, for the two SVMs.
- :mod:`engines.spark.comparison`: run them and write the same report.
"""

from engines.spark.comparison import SPARK_MODELS, SparkOptions, run_spark_comparison

__all__ = ["SPARK_MODELS", "SparkOptions", "run_spark_comparison"]
