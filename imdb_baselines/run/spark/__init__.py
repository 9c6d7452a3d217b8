"""The classical baselines as Spark ML pipelines, on the same data, splits, tokens and report as the local engine.

Only this package imports ``pyspark`` (the optional ``spark`` extra); the local engine never does.

- :mod:`imdb_baselines.run.spark.session`: start or join a Spark session (``local[2]``, ``spark://...``, ``yarn``).
- :mod:`imdb_baselines.run.spark.data`: read the data source into Spark, with the local engine's split.
- :mod:`imdb_baselines.run.spark.preparation`: the shared tokenizer in a pandas UDF, stopwords and n-grams.
- :mod:`imdb_baselines.run.spark.models`: Naive Bayes, the linear SVM and NBSVM as Spark ML stages.
- :mod:`imdb_baselines.run.spark.naive_bayes`: Spark ML's Naive Bayes with the local model's priors and smoothing.
- :mod:`imdb_baselines.run.spark.newton`: liblinear's trust-region Newton method, distributed, for the two SVMs.
- :mod:`imdb_baselines.run.spark.engine`: the engine the comparison runs them with (the same report).
"""

from imdb_baselines.run.spark.engine import SparkEngine, SparkOptions

__all__ = ["SparkEngine", "SparkOptions"]
