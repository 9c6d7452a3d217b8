"""Speed, memory and accuracy of the neural models on the full data.

Usage:
    python benchmarks/neural_benchmark.py [--data PATH] [--models lstm,fasttext,...]
    python benchmarks/neural_benchmark.py --plain-vs-faithful

Each model trains in its own process (so peak memory is its own) on the
official training split minus a seeded 10 % validation carve, and is
evaluated once on the test split. ``--plain-vs-faithful`` first times the
five epochs of the tutorial's model written as a plain Keras script on the
same encoded data and validation set, then the faithful ``lstm`` through
``KerasTextClassifier``, in the same process, so the epoch times compare
one to one.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path

from results_file import RESULTS, results_target, write_results  # noqa: E402

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))



def _peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def run_model(name: str, data: str | None, queue) -> None:
    """Fit one named model and put its figures on ``queue``."""
    from imdb_baselines import corpus
    from imdb_baselines.catalog import make_model

    splits = corpus.make_splits(corpus.load_imdb(data), validation_size=0.1, seed=0)
    clf = make_model(name, settings={"verbose": 2})
    started = time.perf_counter()
    clf.fit(splits.X_train, splits.y_train, validation_data=(splits.X_val, splits.y_val))
    fit_s = time.perf_counter() - started
    started = time.perf_counter()
    accuracy = float((clf.predict(splits.X_test) == splits.y_test).mean())
    queue.put({
        "model": name, "test_accuracy": round(accuracy, 4), "fit_s": round(fit_s, 1),
        "predict_s": round(time.perf_counter() - started, 1),
        "epochs_run": len(clf.history_["loss"]),
        "epoch_s": [round(t, 1) for t in clf.history_["epoch_time"]],
        "val_accuracy": [round(v, 4) for v in clf.history_.get("val_accuracy", [])],
        "peak_rss_gib": round(_peak_gib(), 2),
    })


PLAIN_EPOCHS = 5  # as many as the faithful model, so epochs compare one to one


def plain_vs_faithful(data: str | None, queue) -> None:
    """One epoch of the plain tutorial script, then the faithful estimator, same data."""
    import keras
    import numpy as np

    from imdb_baselines import corpus
    from neural import KerasTextClassifier
    from neural.callbacks import EpochTimer

    splits = corpus.make_splits(corpus.load_imdb(data), validation_size=0.1, seed=0)
    encoder = corpus.SequenceEncoder(10_000).fit(splits.X_train)

    def pad(texts):
        return corpus.pad_sequences(encoder.transform(texts), maxlen=200, padding="post", truncating="post")

    x_train, x_val = pad(splits.X_train), pad(splits.X_val)
    keras.utils.set_random_seed(0)
    plain = keras.Sequential([
        keras.Input(shape=(200,), dtype="int32"),
        keras.layers.Embedding(10_000, 128),
        keras.layers.LSTM(64, dropout=0.2, recurrent_dropout=0.2),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    plain.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    timer = EpochTimer()
    plain.fit(x_train, splits.y_train, epochs=PLAIN_EPOCHS, batch_size=64,
              validation_data=(x_val, splits.y_val), verbose=2, callbacks=[timer])
    clf = KerasTextClassifier(verbose=2)
    started = time.perf_counter()
    clf.fit(splits.X_train, splits.y_train, validation_data=(splits.X_val, splits.y_val))
    fit_s = time.perf_counter() - started
    accuracy = float((clf.predict(splits.X_test) == splits.y_test).mean())
    epochs = clf.history_["epoch_time"]
    queue.put({
        "model": "lstm (faithful) vs plain Keras script",
        "plain_epoch_s": [round(t, 1) for t in timer.times],
        "faithful_epoch_s": [round(t, 1) for t in epochs],
        # epoch by epoch (the first includes graph tracing in both), and median against median
        "epoch_ratios": [round(f / p, 3) for f, p in zip(epochs, timer.times)],
        "median_epoch_ratio": round(float(np.median(epochs) / np.median(timer.times)), 3),
        "faithful_fit_s": round(fit_s, 1),
        "test_accuracy": round(accuracy, 4),
        "peak_rss_gib": round(_peak_gib(), 2),
    })


def _in_child(target, *args) -> dict:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Neural models on the full IMDB data.")
    parser.add_argument("--data", help="aclImdb_v1.tar.gz or aclImdb folder (default: IMDB_DATA)")
    parser.add_argument("--models", default="fasttext,cnn,gru,bilstm")
    parser.add_argument("--plain-vs-faithful", action="store_true")
    parser.add_argument("--out", type=results_target, default=str(RESULTS / "neural_benchmark.json"))
    args = parser.parse_args(argv)
    results = []
    if args.plain_vs_faithful:
        results.append(_in_child(plain_vs_faithful, args.data))
        print(json.dumps(results[-1]), flush=True)
    else:
        for name in args.models.split(","):
            results.append(_in_child(run_model, name, args.data))
            print(json.dumps(results[-1]), flush=True)
    write_results(args.out, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
