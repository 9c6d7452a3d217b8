"""The IMDB corpus: loading, the shared text preparation, Keras-style encoding, splits."""

from imdb_baselines.corpus.dataset import (
    IMDB_NAME,
    TextCorpus,
    class_names,
    class_order_hints,
    label_spelling_hints,
    plain_label,
    shown_label,
    sorted_classes,
)
from imdb_baselines.corpus.errors import DataError, ImdbDataError
from imdb_baselines.corpus.files import from_frames, load_texts
from imdb_baselines.corpus.groups import group_hints
from imdb_baselines.corpus.imdb import (
    ARCHIVE_SHA256,
    ARCHIVE_URL,
    REVIEWS_PER_CLASS,
    default_cache_dir,
    load_imdb,
)
from imdb_baselines.corpus.prepared import PreparedTexts, prepare, take_texts
from imdb_baselines.corpus.scripts import segmentation_hints
from imdb_baselines.corpus.sequences import SequenceEncoder, decode_review, get_word_index, load_data, pad_sequences
from imdb_baselines.corpus.sources import DataSource, drop_shared_texts, shared_texts
from imdb_baselines.corpus.splits import (
    Splits,
    carve,
    make_splits,
    review_keys,
    sample_corpus,
    split_fingerprint,
    splits_under,
)
from imdb_baselines.corpus.tables import TABLE_SUFFIXES
from imdb_baselines.corpus.text import (
    DEFAULT_STOPWORDS,
    KEPT_MARKS,
    MINIMAL_STOPWORDS,
    SENTIMENT_KEEP_WORDS,
    STOPWORD_LISTS,
    TOKEN_PATTERNS,
    TOKENIZER_VERSION,
    Stopwords,
    TextPreprocessor,
    get_stopwords,
    normalize,
)
from imdb_baselines.corpus.validation import (
    CLASS_WEIGHTS,
    check_class_weight,
    check_classification_target,
    check_texts,
)

__all__ = [
    "ARCHIVE_SHA256",
    "ARCHIVE_URL",
    "CLASS_WEIGHTS",
    "DataError",
    "DataSource",
    "DEFAULT_STOPWORDS",
    "MINIMAL_STOPWORDS",
    "PreparedTexts",
    "REVIEWS_PER_CLASS",
    "SENTIMENT_KEEP_WORDS",
    "STOPWORD_LISTS",
    "TABLE_SUFFIXES",
    "KEPT_MARKS",
    "TOKEN_PATTERNS",
    "TOKENIZER_VERSION",
    "ImdbDataError",
    "SequenceEncoder",
    "Splits",
    "Stopwords",
    "TextCorpus",
    "TextPreprocessor",
    "IMDB_NAME",
    "class_names",
    "class_order_hints",
    "label_spelling_hints",
    "shown_label",
    "check_class_weight",
    "check_classification_target",
    "check_texts",
    "decode_review",
    "default_cache_dir",
    "drop_shared_texts",
    "from_frames",
    "get_stopwords",
    "get_word_index",
    "load_data",
    "load_imdb",
    "load_texts",
    "carve",
    "group_hints",
    "make_splits",
    "normalize",
    "pad_sequences",
    "plain_label",
    "prepare",
    "review_keys",
    "sample_corpus",
    "segmentation_hints",
    "shared_texts",
    "sorted_classes",
    "split_fingerprint",
    "splits_under",
    "take_texts",
]
