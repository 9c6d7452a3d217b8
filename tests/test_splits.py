import numpy as np
import pytest

from imdb_baselines.corpus import make_splits


def test_same_seed_gives_identical_splits(fixture_corpus):
    a = make_splits(fixture_corpus, validation_size=0.25, seed=3)
    b = make_splits(fixture_corpus, validation_size=0.25, seed=3)
    assert a.keys == b.keys and a.fingerprint == b.fingerprint
    assert a.X_train == b.X_train and np.array_equal(a.y_val, b.y_val)


def test_other_seed_or_stopwords_change_the_fingerprint(fixture_corpus):
    base = make_splits(fixture_corpus, validation_size=0.25, seed=3)
    other_seed = make_splits(fixture_corpus, validation_size=0.25, seed=4)
    other_words = make_splits(fixture_corpus, validation_size=0.25, seed=3, stopwords="english")
    assert other_seed.keys["validation"] != base.keys["validation"]
    assert len({base.fingerprint, other_seed.fingerprint, other_words.fingerprint}) == 3
    assert other_words.keys == base.keys


def test_validation_is_carved_from_train_stratified_and_never_from_test(fixture_corpus):
    splits = make_splits(fixture_corpus, validation_size=0.25, seed=0)
    assert splits.sizes() == {"train": 60, "validation": 20, "test": 80}
    assert int(splits.y_val.sum()) == 10 and int(splits.y_train.sum()) == 30
    train, val = set(splits.keys["train"]), set(splits.keys["validation"])
    assert not train & val
    assert train | val == set(f"{'pos' if y else 'neg'}/{i}" for i, y in
                              zip(fixture_corpus.train["id"], fixture_corpus.train["label"]))
    assert not set(splits.X_val) & set(splits.X_test)
    assert splits.X_test == fixture_corpus.test["text"].tolist()


def test_zero_validation_keeps_all_training_reviews(fixture_corpus):
    splits = make_splits(fixture_corpus, validation_size=0)
    assert splits.sizes() == {"train": 80, "validation": 0, "test": 80}


@pytest.mark.parametrize("size", [-0.1, 1.0, 80, "10%", True])
def test_bad_validation_size(fixture_corpus, size):
    with pytest.raises(ValueError, match="'validation_size' parameter of make_splits"):
        make_splits(fixture_corpus, validation_size=size)
