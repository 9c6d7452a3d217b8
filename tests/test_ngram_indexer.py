"""fastText's n-gram ids: held in arrays, given exactly as counting the n-grams one by one gives them."""

from collections import Counter

import numpy as np
import pytest

from imdb_baselines.corpus.sequences import SequenceEncoder
from neural.ngrams import NgramIndexer


def _counted_one_by_one(sequences, ngram, start, min_count):
    """The definition: every n-gram of orders 2..ngram counted, ids by falling count, ties by the n-gram."""
    counts = Counter(gram for seq in sequences for n in range(2, ngram + 1) for gram in zip(*(seq[i:] for i in
                                                                                                range(n))))
    kept = sorted((g for g, c in counts.items() if c >= min_count), key=lambda g: (-counts[g], g))
    return {gram: start + i for i, gram in enumerate(kept)}


@pytest.fixture(scope="module")
def sequences(fixture_corpus):
    texts = fixture_corpus.train["text"].tolist() + fixture_corpus.unsup["text"].tolist()
    encoder = SequenceEncoder(500).fit(texts)
    return encoder, encoder.transform(texts), encoder.transform(fixture_corpus.test["text"].tolist())


@pytest.mark.parametrize(("ngram", "min_count"), [(2, 1), (3, 1), (3, 2)])
def test_ids_are_those_of_counting_each_ngram(sequences, ngram, min_count):
    encoder, train, test = sequences
    indexer = NgramIndexer(ngram, encoder.vocabulary_size, min_count).fit(train)
    expected = _counted_one_by_one(train, ngram, encoder.vocabulary_size, min_count)
    assert indexer.index_ == expected and list(indexer.index_) == list(expected)
    assert indexer.input_dim == encoder.vocabulary_size + len(expected)
    appended = [list(seq) + [expected[g] for n in range(2, ngram + 1) for g in zip(*(seq[i:] for i in range(n)))
                             if g in expected] for seq in test]
    assert indexer.transform(test) == appended
    restored = NgramIndexer(ngram, encoder.vocabulary_size, min_count).from_rows(indexer.rows())
    assert restored.transform(test) == appended
    base, keys = indexer.int64_keys()
    for n, (found, ids) in keys.items():
        grams = {g: i for g, i in expected.items() if len(g) == n}
        assert dict(zip(found.tolist(), ids.tolist())) == {
            int(np.dot(g, base ** np.arange(n - 1, -1, -1))): i for g, i in grams.items()}


def test_every_word_id_of_an_encoder_without_num_words_is_below_the_ngram_ids(fixture_corpus):
    encoder = SequenceEncoder(None).fit(fixture_corpus.train["text"].tolist())
    train = encoder.transform(fixture_corpus.train["text"].tolist())
    indexer = NgramIndexer(2, encoder.vocabulary_size).fit(train)
    assert max(map(max, filter(None, train))) < encoder.vocabulary_size == min(indexer.index_.values())
