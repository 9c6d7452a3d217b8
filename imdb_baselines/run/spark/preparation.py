"""The shared text preparation on Spark: the package's tokenizer in a pandas UDF, then Spark's own stages.

Tokens are those of :class:`imdb_baselines.corpus.TextPreprocessor` by construction: a pandas UDF runs the same
normaliser and token pattern on the executors (``imdb_baselines.corpus`` must be importable there: installed with the
package, or shipped with ``spark.submit.pyFiles``). The stopword list is applied by Spark's
``StopWordsRemover`` (case-sensitive, the tokens being lowercased already) and n-grams by Spark's ``NGram``,
so n-grams form across removed words exactly as in the local vectorizer.
"""

from __future__ import annotations

import pandas as pd

from imdb_baselines import corpus

__all__ = ["TOKENS", "add_tokens", "ngram_stages"]

TOKENS = "tokens"  # the column of tokens after stopword removal
_WORDS = "words"  # the column of all tokens


def _tokenize(texts: pd.Series) -> pd.Series:
    prepare = corpus.TextPreprocessor("none")
    return pd.Series([prepare(text) for text in texts])


def add_tokens(frame, stopwords: str):
    """``frame`` with the column :data:`TOKENS`: each text's tokens without the words of ``stopwords``.

    Parameters
    ----------
    frame : pyspark.sql.DataFrame
        With a string column ``text``.
    stopwords : str
        A stopword list name or file (:func:`imdb_baselines.corpus.get_stopwords`).

    Returns
    -------
    pyspark.sql.DataFrame
    """
    from pyspark.ml.feature import StopWordsRemover
    from pyspark.sql import functions as F

    tokenize = F.pandas_udf(_tokenize, "array<string>")
    words = sorted(corpus.get_stopwords(stopwords).words)
    remover = StopWordsRemover(inputCol=_WORDS, outputCol=TOKENS, stopWords=words, caseSensitive=True)
    return remover.transform(frame.withColumn(_WORDS, tokenize("text"))).drop(_WORDS)


def ngram_stages(ngram_range: tuple[int, int], output: str) -> list:
    """Spark stages that put the ``ngram_range`` n-grams of :data:`TOKENS` (words joined by spaces) in ``output``."""
    from pyspark.ml.feature import NGram, SQLTransformer

    low, high = ngram_range
    if not 1 <= low <= high:
        raise ValueError(f"The 'ngram_range' parameter must be (min_n, max_n) with 1 <= min_n <= max_n. "
                         f"Got {ngram_range!r} instead.")
    stages = [NGram(n=n, inputCol=TOKENS, outputCol=f"_grams{n}") for n in range(max(low, 2), high + 1)]
    columns = ([TOKENS] if low == 1 else []) + [f"_grams{n}" for n in range(max(low, 2), high + 1)]
    joined = columns[0] if len(columns) == 1 else f"concat({', '.join(columns)})"
    drop = [f"_grams{n}" for n in range(max(low, 2), high + 1)]
    select = "*" if not drop else "* EXCEPT (" + ", ".join(drop) + ")"
    stages.append(SQLTransformer(statement=f"SELECT {select}, {joined} AS {output} FROM __THIS__"))
    return stages
