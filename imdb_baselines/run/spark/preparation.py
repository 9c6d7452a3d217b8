"""The shared text preparation on Spark: the package's tokenizer in a pandas UDF, then Spark's own stages.

Tokens are those of :class:`imdb_baselines.corpus.TextPreprocessor` by construction: a pandas UDF runs the same
normaliser and token pattern on the executors (``imdb_baselines.corpus`` must be importable there: installed with the
package, or shipped with ``spark.submit.pyFiles``). The stopword list is applied by Spark's
``StopWordsRemover`` (case-sensitive, the tokens being lowercased already) and n-grams by Spark's ``NGram``,
so n-grams form across removed words exactly as in the local vectorizer. Hashed n-grams
(``hash_bits``) are counted by :class:`HashedCounts` with the local vectorizer's own hash functions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from baselines.ngrams import hashed_matrix, word_hashes
from imdb_baselines import corpus

__all__ = ["TOKENS", "HashedCounts", "add_tokens", "hashed_counts", "ngram_stages"]

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


def hashed_counts(tokens: list[str], ngram_range: tuple[int, int], bits: int) -> tuple[np.ndarray, np.ndarray]:
    """One text's hashed n-gram columns (sorted) and counts, as :class:`baselines.NgramVectorizer` hashes them.

    Examples
    --------
    >>> hashed_counts(["good", "film"], (1, 2), 20)[1].tolist()
    [1.0, 1.0, 1.0]
    """
    row = hashed_matrix(word_hashes(tokens), np.zeros(len(tokens), dtype=np.int64), 1, ngram_range, bits)
    return row.indices, row.data


class HashedCounts:
    """A Spark transformer of :data:`TOKENS` to hashed n-gram counts: no vocabulary to fit, collect or broadcast.

    Parameters
    ----------
    ngram_range : tuple (min_n, max_n)
    bits : int
        ``2**bits`` columns.
    binary : bool
        Presence (1.0) instead of counts.
    output : str
        The column of vectors to add.
    """

    def __init__(self, ngram_range: tuple[int, int], bits: int, binary: bool, output: str) -> None:
        self.ngram_range, self.bits, self.binary, self.output = tuple(ngram_range), bits, binary, output
        self.n_features = 1 << bits

    def transform(self, frame):
        """``frame`` with the column ``output``."""
        from pyspark.ml.linalg import SparseVector, VectorUDT
        from pyspark.sql import functions as F

        ngram_range, bits, binary, size = self.ngram_range, self.bits, self.binary, self.n_features

        @F.udf(VectorUDT())
        def counts(tokens):
            columns, values = hashed_counts(list(tokens or ()), ngram_range, bits)
            return SparseVector(size, columns, np.ones_like(values) if binary else values)

        return frame.withColumn(self.output, counts(TOKENS))
