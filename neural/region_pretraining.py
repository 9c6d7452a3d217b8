"""Region embeddings learned from unlabelled texts (Johnson & Zhang's "tv-embedding", NIPS 2015).

Each region of ``region_size`` words is embedded as the ReLU of the sum of its words' rows; the embedding is
trained to tell the words of the neighbouring regions (the ``region_size`` words on each side) from words
drawn at random from the corpus (negative sampling, by frequency to the power 0.75). No label is read: the
texts are IMDB's unlabelled reviews and the run's training split, never validation or test. The word rows
are written as a word-vectors text file, which :func:`neural.region_cnn.build_region_cnn` takes as its frozen
``region_vectors``.
"""

from __future__ import annotations

import inspect
import logging
import os
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from imdb_baselines.storage import atomic_file

__all__ = ["REGION_METHOD", "REGION_SETTINGS", "learn_region_vectors"]

logger = logging.getLogger(__name__)

#: The learning's version, part of the cache key: a change to how the embedding is learned changes it.
REGION_METHOD = 1


def learn_region_vectors(texts: Sequence[str], path: str | os.PathLike, *, stopwords=None, seed: int = 0,
                         dimensions: int = 100, region_size: int = 5, negatives: int = 10, num_words: int = 30_000,
                         maxlen: int = 400, epochs: int = 1, batch_size: int = 32,
                         learning_rate: float = 3e-3) -> Path:
    """Learn a region embedding from ``texts`` and write its word rows to ``path`` (word2vec's text format).

    The defaults are the settings the catalogue's region CNN reads (:data:`REGION_SETTINGS` is made from this
    signature). The learning rate was chosen on IMDB's validation split through that CNN (benchmarks/README.md):
    3e-3 gave validation loss 0.2330 and accuracy 0.9067, against 0.2413 and 0.9034 with 1e-3 and 0.2447 and
    0.9018 with 1e-2.

    Parameters
    ----------
    texts : sequence of str
        Unlabelled texts, prepared by the shared text preparation.
    path : path
        The file to write, atomically; an existing file is refused.
    stopwords : str, path or Stopwords, optional
        The shared stopword list.
    seed : int, default=0
        Seed of the initial rows, the order of the texts and the negative words.
    dimensions : int, default=100
        Size of a region's embedding.
    region_size : int, default=5
        Words in a region; the words to predict are the ``region_size`` on each side of it.
    negatives : int, default=10
        Random words per region that the embedding learns to score below its neighbours.
    num_words : int, default=30000
        The most frequent words kept (the rest are out of the vocabulary).
    maxlen : int, default=400
        Texts are cut into pieces of this many words.
    epochs, batch_size : int, default=1, 32
        Passes over the pieces, and pieces per step.
    learning_rate : float, default=3e-3
        Adam's learning rate.

    Returns
    -------
    Path

    Raises
    ------
    RuntimeError
        If Keras runs on a backend other than TensorFlow, which this learning is written in.
    """
    from neural.backend import keras_backend

    if keras_backend() != "tensorflow":
        raise RuntimeError(f"Learning a region embedding needs Keras's TensorFlow backend; it runs on "
                           f"{keras_backend()!r} (KERAS_BACKEND). Learn it once with TensorFlow (the file is "
                           "cached and then read on any backend), or name a region embedding file.")
    import tensorflow as tf

    from imdb_baselines.corpus.progress import progress_bar
    from imdb_baselines.corpus.sequences import SequenceEncoder

    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} exists; learn_region_vectors never replaces a file.")
    encoder = SequenceEncoder(num_words, stopwords=stopwords).fit(texts)
    pieces = _pieces(encoder.transform(texts), maxlen)
    vocabulary = encoder.vocabulary_size
    counts = np.bincount(pieces.ravel(), minlength=vocabulary).astype(np.float64)
    counts[: encoder.index_from] = 0  # padding and the markers are never drawn
    sampling = counts ** 0.75
    sampling /= sampling.sum()
    rng = np.random.default_rng(seed)
    tf.random.set_seed(seed)
    words = tf.Variable(rng.uniform(-0.05, 0.05, (vocabulary, dimensions)).astype(np.float32), name="words")
    context = tf.Variable(np.zeros((vocabulary, dimensions), np.float32), name="context")
    optimizer = tf.keras.optimizers.Adam(learning_rate)
    half = region_size // 2  # the region around position t: t - half ... t + half; its neighbours beside it
    offsets = [o for o in range(-half - region_size, half + region_size + 1) if abs(o) > half]
    table = tf.constant(rng.choice(vocabulary, size=2_000_000, p=sampling).astype(np.int32))

    @tf.function(input_signature=[tf.TensorSpec((None, maxlen), tf.int32), tf.TensorSpec((), tf.int32)])
    def step(ids, draw):
        present = tf.cast(ids > 0, tf.float32)
        neighbours = tf.stack([_shifted(ids, o) for o in offsets], axis=-1)  # (B, L, 2 × region_size)
        wanted = tf.cast(neighbours > 0, tf.float32) * present[..., None]
        noise = tf.gather(table, tf.random.stateless_uniform(
            tf.concat([tf.shape(ids), [negatives]], 0), seed=[seed, draw], maxval=table.shape[0], dtype=tf.int32))
        with tf.GradientTape() as tape:
            rows = tf.gather(words, ids) * present[..., None]
            padded = tf.pad(rows, [[0, 0], [(region_size - 1) // 2, region_size // 2], [0, 0]])
            regions = tf.nn.relu(tf.nn.avg_pool1d(padded, region_size, 1, "VALID") * region_size)
            positive = tf.einsum("bld,blkd->blk", regions, tf.gather(context, neighbours))
            negative = tf.einsum("bld,blkd->blk", regions, tf.gather(context, noise))
            loss = (tf.reduce_sum(tf.nn.softplus(-positive) * wanted)
                    + tf.reduce_sum(tf.nn.softplus(negative) * present[..., None])) / tf.reduce_sum(present)
        gradients = tape.gradient(loss, [words, context])
        optimizer.apply_gradients(zip(gradients, [words, context]))
        return loss

    started = time.perf_counter()
    steps = int(np.ceil(len(pieces) / batch_size))
    bar = progress_bar(total=epochs * steps, desc="region embedding from unlabelled texts", unit=" steps")
    try:
        draw = 0
        for epoch in range(epochs):
            order = rng.permutation(len(pieces))
            for start in range(0, len(pieces), batch_size):
                loss = step(tf.constant(pieces[order[start:start + batch_size]]), tf.constant(draw, tf.int32))
                draw += 1
                bar.update(1)
            logger.info("region embedding: epoch %d/%d, loss %.4f", epoch + 1, epochs, float(loss))
    finally:
        bar.close()
    logger.info("Learned a %d-dimensional embedding of %d-word regions from %d pieces of text in %.0f s",
                dimensions, region_size, len(pieces), time.perf_counter() - started)
    rows = words.numpy()
    with atomic_file(path, "w", encoding="utf-8") as out:  # word2vec's text format: a header, then a word a line
        kept = [(word, rank + encoder.index_from) for word, rank in encoder.word_index_.items()
                if rank + encoder.index_from < vocabulary]
        out.write(f"{len(kept)} {dimensions}\n")
        for word, row in kept:
            out.write(word + " " + " ".join(f"{value:.7g}" for value in rows[row].tolist()) + "\n")
    return path


#: The settings of the region embedding learned from unlabelled texts: :func:`learn_region_vectors`' defaults.
REGION_SETTINGS = {name: parameter.default
                   for name, parameter in inspect.signature(learn_region_vectors).parameters.items()
                   if parameter.kind is parameter.KEYWORD_ONLY and name not in ("stopwords", "seed")}


def _pieces(sequences: list[list[int]], maxlen: int) -> np.ndarray:
    """Every sequence cut into pieces of ``maxlen`` ids, the last one of each padded with zeros."""
    pieces = [sequence[start:start + maxlen] for sequence in sequences for start in range(0, len(sequence), maxlen)]
    out = np.zeros((len(pieces), maxlen), np.int32)
    for row, piece in enumerate(pieces):
        out[row, :len(piece)] = piece
    return out


def _shifted(ids, offset: int):
    """``ids`` moved ``offset`` places along the text (zeros shifted in): position t holds id t + offset."""
    import tensorflow as tf

    if offset > 0:
        return tf.pad(ids[:, offset:], [[0, 0], [0, offset]])
    return tf.pad(ids[:, :offset], [[0, 0], [-offset, 0]])
