"""The IMDB corpus: loading, the shared text preparation, Keras-style encoding, splits."""

from corpus.errors import DataError, ImdbDataError
from corpus.imdb import (
    ARCHIVE_SHA256,
    ARCHIVE_URL,
    REVIEWS_PER_CLASS,
    ImdbCorpus,
    default_cache_dir,
    load_imdb,
)
from corpus.sequences import SequenceEncoder, decode_review, get_word_index, load_data, pad_sequences
from corpus.splits import Splits, make_splits, review_keys, sample_corpus
from corpus.text import (
    DEFAULT_STOPWORDS,
    MINIMAL_STOPWORDS,
    SENTIMENT_KEEP_WORDS,
    STOPWORD_LISTS,
    Stopwords,
    TextPreprocessor,
    get_stopwords,
    normalize,
)
from corpus.validation import check_binary_target, check_texts

__all__ = [
    "ARCHIVE_SHA256",
    "ARCHIVE_URL",
    "DataError",
    "DEFAULT_STOPWORDS",
    "MINIMAL_STOPWORDS",
    "REVIEWS_PER_CLASS",
    "SENTIMENT_KEEP_WORDS",
    "STOPWORD_LISTS",
    "ImdbCorpus",
    "ImdbDataError",
    "SequenceEncoder",
    "Splits",
    "Stopwords",
    "TextPreprocessor",
    "check_binary_target",
    "check_texts",
    "decode_review",
    "default_cache_dir",
    "get_stopwords",
    "get_word_index",
    "load_data",
    "load_imdb",
    "make_splits",
    "normalize",
    "pad_sequences",
    "review_keys",
    "sample_corpus",
]
