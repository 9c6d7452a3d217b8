import pickle

import pytest

from imdb_baselines.corpus import (
    DEFAULT_STOPWORDS,
    SENTIMENT_KEEP_WORDS,
    TextPreprocessor,
    get_stopwords,
    normalize,
)


def test_normalize_strips_tags_unescapes_and_lowercases():
    raw = "A <i>Great</i> film.<br /><br />Don&#39;t miss it &amp; enjoy"
    assert normalize(raw) == "a  great  film.  don't miss it & enjoy"


def test_tokens_keep_inner_apostrophes_and_each_mark_and_drop_other_punctuation():
    prep = TextPreprocessor("none")
    assert prep("I DON'T like it -- it's 'bad', isn’t it?<br />10/10!!") == [
        "i", "don't", "like", "it", "it's", "bad", "isn't", "it", "?", "10", "10", "!", "!",
    ]
    assert prep.settings.startswith("tokenizer=v2;")


def test_a_preprocessor_pickled_before_marks_were_tokens_keeps_its_tokens():
    review = "Loved it!! Who would not?"
    older = TextPreprocessor("none", tokenizer_version="1")
    assert older(review) == ["loved", "it", "who", "would", "not"]
    assert older != TextPreprocessor("none") and older.settings != TextPreprocessor("none").settings
    state = dict(TextPreprocessor("none").__dict__)
    del state["tokenizer_version"]  # what a model saved before the version was recorded holds
    restored = TextPreprocessor.__new__(TextPreprocessor)
    restored.__setstate__(state)
    assert restored == older and restored(review) == older(review)
    assert pickle.loads(pickle.dumps(older)) == older
    with pytest.raises(ValueError, match="tokenizer_version"):
        TextPreprocessor("none", tokenizer_version="3")


def test_named_lists_and_their_sizes():
    english, sentiment, none = (get_stopwords(n) for n in ("english", "sentiment", "none"))
    assert (len(english), len(sentiment), len(none)) == (318, 274, 0)
    assert sentiment.words == english.words - SENTIMENT_KEEP_WORDS
    for word in ("not", "no", "but", "never", "very", "too", "nothing", "without"):
        assert word in english and word not in sentiment
    assert "the" in sentiment and "and" in sentiment
    assert get_stopwords(None).name == DEFAULT_STOPWORDS


def test_sentiment_list_keeps_negation_in_real_text():
    text = "This movie is not good, but the acting was very solid."
    assert TextPreprocessor("sentiment")(text) == ["movie", "not", "good", "but", "acting", "very", "solid"]
    assert TextPreprocessor("english")(text) == ["movie", "good", "acting", "solid"]


def test_stopwords_from_a_file(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("# my list\nMovie\nfilm  # both\n\n", encoding="utf-8")
    words = get_stopwords(path)
    assert words.words == {"movie", "film"} and words.name == str(path)
    assert TextPreprocessor(path)("A great movie, a great film") == ["a", "great", "a", "great"]


def test_unknown_list_is_a_clear_error():
    with pytest.raises(ValueError, match=r"'stopwords' parameter .* Got 'englsh' instead"):
        get_stopwords("englsh")


def test_describe_names_size_and_digest():
    line = get_stopwords("sentiment").describe()
    assert line.startswith("sentiment (274 words, sha256 ")
    assert get_stopwords("english").digest != get_stopwords("sentiment").digest


def test_preprocessor_pickles_and_compares_equal():
    prep = TextPreprocessor("english")
    copy = pickle.loads(pickle.dumps(prep))
    assert copy == prep and copy("Not bad at all") == prep("Not bad at all")
    assert prep != TextPreprocessor("sentiment")


def test_a_stopword_file_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "words.txt"
    path.write_bytes("\ufeffthe\nmovie\n".encode())
    assert get_stopwords(path).words == frozenset({"the", "movie"})


def test_a_binary_stopword_file_is_named_in_the_error(tmp_path):
    path = tmp_path / "words.bin"
    path.write_bytes(b"the\n\xff\xfe\x00movie")
    with pytest.raises(ValueError, match=f"The stopword file {path} is not UTF-8 text"):
        get_stopwords(path)
