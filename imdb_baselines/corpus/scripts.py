"""A sign that texts are written without spaces between words, which the shared tokenizer needs.

The tokenizer splits on spaces and punctuation. Chinese, Japanese, Thai, Lao, Khmer and Burmese put no
spaces between words, so each of their tokens is a whole phrase, rarely seen twice: every model then learns
from features that hardly recur. Such texts need segmenting into words before the comparison.
"""

from __future__ import annotations

import re

import numpy as np

from imdb_baselines.corpus.dataset import TextCorpus
from imdb_baselines.corpus.text import TextPreprocessor

__all__ = ["segmentation_hints"]

#: Letters of scripts written without spaces between words: Thai, Lao, Burmese, Khmer, Japanese kana, CJK
#: ideographs (Korean's Hangul is written with spaces, and is left out).
_UNSPACED = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LETTER = re.compile(r"[^\W\d_]")
_SAMPLE = 2000  # training texts read: enough to tell a script, cheap on any corpus
_SHARE = 0.2  # of the letters, in unspaced scripts, before the report says so


def segmentation_hints(data: TextCorpus) -> list[str]:
    """A warning when many of the training texts' letters belong to scripts written without spaces.

    Parameters
    ----------
    data : TextCorpus
        The loaded texts; the first 2,000 training texts are read.

    Returns
    -------
    list of str
        One warning, with the share of such letters and the tokens' median length, or none.

    Examples
    --------
    >>> from imdb_baselines.corpus import from_frames
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"text": ["这部电影非常好看，演员的表演也很出色。", "剧情拖沓，浪费了两个小时。"] * 10,
    ...                       "label": ["好", "差"] * 10})
    >>> segmentation_hints(from_frames(frame, test_size=0.25))[0][:58]
    "100% of the training texts' letters are in scripts written"
    """
    if data.train is None or "text" not in data.train.columns or not len(data.train):
        return []
    texts = data.train["text"].iloc[:_SAMPLE].astype(str)
    if not any(_UNSPACED.search(text) for text in texts):  # the common case, read quickly
        return []
    letters = "".join(character for text in texts for character in _LETTER.findall(text))
    unspaced = len(_UNSPACED.findall(letters))  # letters only: Thai's vowel marks are marks, not letters
    if unspaced / len(letters) < _SHARE:
        return []
    tokenize = TextPreprocessor(stopwords="none")
    lengths = [len(token) for text in texts for token in tokenize(text)]
    median = int(np.median(lengths)) if lengths else 0
    return [f"{unspaced / len(letters):.0%} of the training texts' letters are in scripts written without spaces "
            "between words (Chinese, Japanese, Thai...). The shared tokenizer splits on spaces and punctuation, so "
            f"each token is a whole phrase (a median of {median} characters) that rarely recurs, and every model "
            "learns little. Segment the texts into words, separated by spaces, before comparing (jieba for "
            "Chinese, MeCab for Japanese, PyThaiNLP for Thai)."]
