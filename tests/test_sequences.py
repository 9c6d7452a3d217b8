import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from imdb_baselines.corpus import (
    SequenceEncoder,
    TextPreprocessor,
    decode_review,
    get_word_index,
    load_data,
    pad_sequences,
)

TEXTS = ["A good film, a GOOD story.", "A bad film.<br />Bad, bad acting!"]


def test_ranks_by_frequency_with_keras_offsets():
    enc = SequenceEncoder(stopwords="none").fit(TEXTS)
    assert enc.word_index_ == {"a": 1, "bad": 2, "film": 3, "good": 4, "!": 5, "acting": 6, "story": 7}
    assert enc.transform(["good acting, unseen words"]) == [[1, 7, 9, 2, 2]]
    assert enc.vocabulary_size == 11  # every id (the last word's is 10) fits an Embedding of this size


def test_num_words_and_skip_top_map_to_oov():
    enc = SequenceEncoder(num_words=6, skip_top=4, stopwords="none").fit(TEXTS)
    # a -> 4, bad -> 5 kept; film (6) and above are beyond num_words
    assert enc.transform(["a bad film"]) == [[1, 4, 5, 2]]
    enc.set_params(skip_top=5)
    assert enc.transform(["a bad film"]) == [[1, 2, 5, 2]]
    assert enc.vocabulary_size == 6


def test_oov_none_drops_words_and_start_none_adds_no_marker():
    enc = SequenceEncoder(num_words=6, oov_char=None, start_char=None, stopwords="none").fit(TEXTS)
    assert enc.transform(["a good bad film"]) == [[4, 5]]


def test_stopword_filter_is_the_shared_one():
    enc = SequenceEncoder(stopwords="english").fit(TEXTS)
    assert "a" not in enc.word_index_ and enc.word_index_["bad"] == 1


def test_decode_round_trip():
    enc = SequenceEncoder(stopwords="none").fit(TEXTS)
    ids = enc.transform(["A good story, no acting"])[0]
    assert decode_review(ids, enc) == "<START> a good story <UNK> acting"
    padded = pad_sequences([ids], maxlen=10, padding="post")[0]
    assert decode_review(padded, enc.word_index_) == "<START> a good story <UNK> acting"
    assert decode_review(padded, enc, skip_padding=False).endswith("<PAD> <PAD> <PAD> <PAD>")


def test_pad_sequences_is_keras_padding_and_truncation():
    out = pad_sequences([[1, 2, 3, 4], [5]], maxlen=3, padding="post", truncating="post")
    assert out.tolist() == [[1, 2, 3], [5, 0, 0]]
    out = pad_sequences([[1, 2, 3, 4], [5]], maxlen=3)
    assert out.tolist() == [[2, 3, 4], [0, 0, 5]]


@pytest.mark.parametrize("padding", ["pre", "post"])
@pytest.mark.parametrize("truncating", ["pre", "post"])
@pytest.mark.parametrize(("maxlen", "dtype", "value"), [(None, "int32", 0.0), (200, "int32", 0.0), (7, "int64", -1),
                                                        (30, "float32", 0.5), (1, "int32", 0.0)])
def test_pad_sequences_gives_what_keras_gives_on_encoded_reviews(fixture_corpus, padding, truncating, maxlen, dtype,
                                                                 value):
    keras = pytest.importorskip("keras")
    texts = fixture_corpus.train["text"].tolist()[:60]
    ids = SequenceEncoder(num_words=500).fit(texts).transform(texts) + [[]]  # an empty text's ids too
    ids[3] = np.asarray(ids[3])  # arrays as well as lists
    options = {"maxlen": maxlen, "dtype": dtype, "padding": padding, "truncating": truncating, "value": value}
    ours, theirs = pad_sequences(ids, **options), keras.utils.pad_sequences(ids, **options)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape and np.array_equal(ours, theirs)


def test_pad_sequences_gives_what_keras_gives_on_vectors_and_words():
    keras = pytest.importorskip("keras")
    vectors = [np.arange(6.0).reshape(3, 2), np.ones((1, 2)), np.zeros((0, 2))]
    words = [["a", "good", "film"], ["bad"]]
    for sequences, options in ((vectors, {"maxlen": 2, "dtype": "float32"}),
                               (words, {"dtype": object, "value": "<PAD>", "padding": "post"})):
        ours, theirs = pad_sequences(sequences, **options), keras.utils.pad_sequences(sequences, **options)
        assert ours.shape == theirs.shape and ours.tolist() == theirs.tolist()


@pytest.mark.parametrize(
    ("sequences", "options", "message"),
    [
        ([[1, 2]], {"padding": "end"}, "'padding' parameter of pad_sequences must be 'pre' or 'post'. Got 'end'"),
        ([[1, 2]], {"truncating": "left"}, "'truncating' parameter of pad_sequences must be 'pre' or 'post'"),
        ([[1, 2]], {"maxlen": -1}, "'maxlen' parameter of pad_sequences must be an int >= 0 or None"),
        ([[1, 2], 3], {}, "item 1 is 3"),
        ([["a"]], {"value": "<PAD>"}, "text padding value needs dtype=object"),
        ([np.ones((2, 2)), np.ones((1, 3))], {}, r"Sequence 1 holds items of shape \(3,\); the first held \(2,\)"),
    ],
)
def test_pad_sequences_says_what_is_wrong(sequences, options, message):
    with pytest.raises(ValueError, match=message):
        pad_sequences(sequences, **options)


def test_pad_sequences_of_nothing_is_an_empty_array():
    assert pad_sequences([]).shape == (0, 0) and pad_sequences([[], []], maxlen=3).tolist() == [[0, 0, 0], [0, 0, 0]]


def test_the_keras_compatible_encoding_needs_no_keras():
    fixtures = Path(__file__).parent / "fixtures" / "aclImdb"
    script = ("import sys\n"
              "from imdb_baselines import corpus\n"
              f"excerpt = corpus.load_imdb({str(fixtures)!r}, reviews_per_class=40)\n"
              "(x_train, y_train), _ = corpus.load_data(num_words=1000, path=excerpt)\n"
              "x_train = corpus.pad_sequences(x_train, maxlen=200, padding='post', truncating='post')\n"
              "assert x_train.shape == (80, 200) and x_train[0][0] == 1, x_train[0]\n"
              "print(corpus.decode_review(x_train[0], corpus.get_word_index(excerpt)))\n"
              "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('keras', 'tensorflow', 'jax', 'torch'))\n"
              "assert not loaded, loaded\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("<START> ")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"num_words": 0}, "'num_words' parameter of SequenceEncoder must be an int >= 1"),
        ({"num_words": 3}, "must be greater than index_from"),
        ({"skip_top": -1}, "'skip_top' parameter"),
        ({"oov_char": "x"}, "'oov_char' parameter"),
    ],
)
def test_bad_parameters(params, message):
    with pytest.raises(ValueError, match=message):
        SequenceEncoder(**params).fit(TEXTS)


def test_contract_errors():
    with pytest.raises(NotFittedError):
        SequenceEncoder().transform(TEXTS)
    with pytest.raises(TypeError, match="not a single string"):
        SequenceEncoder().fit("one review")
    with pytest.raises(ValueError, match="empty"):
        SequenceEncoder().fit([])
    assert clone(SequenceEncoder(num_words=50)).get_params()["num_words"] == 50


def test_load_data_like_keras_without_dropping(fixture_corpus):
    (x_train, y_train), (x_test, y_test) = load_data(num_words=100, path=fixture_corpus, maxlen=20)
    assert x_train.dtype == object and len(x_train) == len(y_train) == 80 and len(x_test) == 80
    assert all(seq[0] == 1 and len(seq) <= 20 for seq in x_train)
    assert max(max(seq) for seq in x_train) < 100
    assert 0 < y_train[:40].sum() < 40  # shuffled, like Keras
    again = load_data(num_words=100, path=fixture_corpus, maxlen=20)
    assert all(a == b for a, b in zip(x_train, again[0][0])) and np.array_equal(y_test, again[1][1])


def test_word_index_counts_training_split_only(fixture_corpus):
    index = get_word_index(fixture_corpus)
    train_words = " ".join(fixture_corpus.train["text"]).lower()
    assert all(word in train_words for word in list(index)[:50])
    assert index["movie"] == 7 and "the" not in index and "and" not in index
    prep = TextPreprocessor()
    train_tokens = {t for text in fixture_corpus.train["text"] for t in prep(text)}
    test_only = {t for text in fixture_corpus.test["text"] for t in prep(text)} - train_tokens
    assert test_only and not test_only & set(index) and set(index) == train_tokens


@pytest.mark.full_data
def test_full_data_vocabulary_facts(full_data):
    (x_train, y_train), (x_test, y_test) = load_data(num_words=10000, path=full_data)
    assert len(x_train) == len(x_test) == 25_000
    assert y_train.sum() == y_test.sum() == 12_500
    assert max(max(s) for s in x_train) == 9999
    index = get_word_index(full_data)
    assert list(index)[:8] == ["is", "it", "i", "this", "that", "was", "movie", "but"]
    assert len(index) == 81_366 and index["not"] == 10 and index["good"] < index["bad"] <= 60
    assert index["!"] == 18 and index["?"] == 31  # marks are tokens (tokenizer version 2)
    assert index.get("br", len(index)) > 50_000 and "the" not in index  # no <br /> residue
    lengths = np.array([len(s) for s in x_train])
    print(f"vocabulary {len(index):,} words; median encoded length {np.median(lengths):.0f}")
    assert 80 < np.median(lengths) < 150


def test_refit_on_other_texts_uses_the_new_vocabulary():
    enc = SequenceEncoder(stopwords="none").fit(TEXTS)
    assert enc.transform(["good"]) == [[1, 7]]
    enc.fit(["good good story"])
    assert enc.word_index_ == {"good": 1, "story": 2}
    assert enc.transform(["good"]) == [[1, 4]]
