"""The chunked engine: the three baselines fitted on tables read a chunk at a time, in memory that stays flat.

``--engine chunked`` splits the data exactly as the local engine does (from the rows' keys, labels and
groups, :mod:`imdb_baselines.run.chunked.tables`), then reads the training texts
:data:`~imdb_baselines.run.chunked.tables.CHUNK_ROWS` rows at a time: each chunk is prepared by the shared
text preparation, counted into every model's hashed n-grams, handed to the models
(:mod:`imdb_baselines.run.chunked.fitting`) and dropped. Only the test texts, each model's weights
(``2**hash_bits`` of them) and the rows' keys stay in memory. The fitted models are the catalogue's
pipelines, so the comparison scores, reports and saves them as it does the local engine's.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import replace
from typing import Any

import numpy as np

from imdb_baselines import corpus
from imdb_baselines.catalog import make_model, models_on
from imdb_baselines.corpus.progress import progress_bar, stage
from imdb_baselines.run.fitting import probabilities_for, raw_scores
from imdb_baselines.run.resources import PeakMemory
from imdb_baselines.run.results import (
    Finished,
    Loaded,
    ModelResult,
    ModelRuns,
    Preparation,
    RunConfig,
    in_class_order,
    predictions_and_scores,
)
from imdb_baselines.run.stops import RunStopped

__all__ = ["HASH_BITS", "ChunkedEngine"]

logger = logging.getLogger(__name__)

#: The hashed columns each model gets on this engine unless ``--set MODEL.hash_bits=N`` says otherwise
#: (``benchmarks/hashing.py``: Naive Bayes needs more columns than the SVMs to keep its accuracy).
HASH_BITS = {"naive_bayes": 24, "linear_svm": 22, "nbsvm": 22}


class ChunkedEngine:
    """Read tables in chunks and fit the hashed baselines from them (``--engine chunked``).

    Parameters
    ----------
    spool_dir : path, optional
        Where the linear models keep their rows while they are fitted (default: ``$TMPDIR``); a folder of the
        engine's own is made there and removed afterwards.
    """

    name = "chunked"
    keeps_groups = True  # --group-column keeps each group on one side of the splits

    def __init__(self, spool_dir: str | os.PathLike | None = None) -> None:
        self.spool_dir = spool_dir
        self._data = None

    def check(self, config: RunConfig) -> None:
        """Refuse models the catalogue does not fit from chunks."""
        unknown = [name for name in config.models if name not in models_on("chunked")]
        if unknown:
            raise ValueError(f"The chunked engine runs {', '.join(models_on('chunked'))}; not {', '.join(unknown)}.")

    def configured(self, config: RunConfig) -> RunConfig:
        """``config`` with each model's hashed columns (:data:`HASH_BITS`) where its settings do not name them."""
        settings = {name: {"hash_bits": HASH_BITS[name], **(config.settings.get(name) or {})}
                    for name in config.models if name in HASH_BITS}
        return replace(config, settings={**config.settings, **settings})

    def load(self, config: RunConfig, data: corpus.TextCorpus | None = None) -> Loaded:
        """Split ``config.data`` from its keys as the local engine does, per stopword list; keep the test texts."""
        from imdb_baselines.run.chunked.tables import read_chunked

        if data is not None:
            raise ValueError("The chunked engine reads its data itself; pass the data source in the run's config.")
        self.check(config)
        self._data = read_chunked(config.data, seed=config.seed, validation_size=config.validation_size,
                                  stopwords=config.stopwords[0], sample=config.sample)
        splits = self._data.splits
        by_list = {stopwords: corpus.splits_under(splits, stopwords) for stopwords in config.stopwords}
        return Loaded(self._data.corpus, by_list, shared_texts=self._data.shared_texts())

    def run_models(self, config: RunConfig, loaded: Loaded, stopwords: str, finished: Finished | None = None) -> (
            ModelRuns):
        """Fit every model of ``config`` in one chunked pass over the training texts, then score each on the test
        texts."""
        from imdb_baselines.run.chunked.fitting import ChunkedFit

        splits = loaded.splits[stopwords]
        results = {name: ModelResult(name=name, stopwords=stopwords) for name in config.models}
        fits: dict[str, ChunkedFit] = {}
        for name, result in results.items():
            settings = {"hash_bits": HASH_BITS.get(name), **(config.settings.get(name) or {})}
            try:
                fits[name] = ChunkedFit(make_model(name, stopwords=stopwords, seed=config.seed, settings=settings),
                                        splits.classes, self.spool_dir)
            except Exception as error:  # a setting the chunked fit refuses: this model fails, the others go on
                _failed(result, error)
        try:
            preparation = self._count(fits, results, splits, stopwords)
        except KeyboardInterrupt as interrupt:
            for fit in fits.values():
                fit.close()
            stop = RunStopped.from_interrupt(interrupt)
            return ModelRuns([], Preparation(), stop)
        return _finish_each(config, fits, results, splits, stopwords, preparation, finished)

    def _count(self, fits: dict, results: dict[str, ModelResult], splits: corpus.Splits, stopwords: str) -> (
            Preparation):
        """The one pass over the training texts: prepared a chunk at a time, counted into every model."""
        preprocessor = corpus.TextPreprocessor(stopwords)
        y_train = np.asarray(splits.y_train)
        tokens, words = 0, set()
        bar = progress_bar(total=len(y_train), desc=f"Reading and counting (stopwords: {stopwords})", unit="texts")
        with PeakMemory() as memory:
            started = time.perf_counter()
            try:
                for chunk in self._data.chunks((0,)):
                    prepared = corpus.prepare(chunk.texts, preprocessor, n_jobs=min(2, os.cpu_count() or 1))
                    tokens, words = tokens + len(prepared.ids), words | set(prepared.words.tolist())
                    labels = y_train[chunk.positions]
                    for name in list(fits):
                        begun = time.perf_counter()
                        try:
                            fits[name].add(fits[name].vectorizer.transform(prepared), labels)
                        except Exception as error:  # this model fails; the others go on counting
                            _failed(results[name], error)
                            fits.pop(name).close()
                        results[name].fit_s += time.perf_counter() - begun
                    prepared.release()
                    bar.update(len(chunk.texts))
            finally:
                bar.close()
            seconds = time.perf_counter() - started - sum(r.fit_s for r in results.values())
        logger.info("Read and prepared %s tokens in chunks in %.1f s (counting included in each model's fit time)",
                    f"{tokens:,}", seconds)
        return Preparation(seconds=seconds, peak_memory_mib=memory.added_bytes / 2**20, tokens=tokens,
                           words=len(words))

    def provenance(self) -> dict[str, Any]:
        """The engine and how it reads and fits, for the report."""
        from imdb_baselines.run.chunked.tables import CHUNK_ROWS
        from imdb_baselines.run.newton import MAX_ITER, TOL

        return {"engine": "chunked", "chunk_rows": CHUNK_ROWS,
                "linear_models": f"liblinear's trust-region Newton method over the rows kept on disk (tol {TOL} of "
                                 f"the first gradient's norm, at most {MAX_ITER} iterations)"}

    def close(self) -> None:
        """Forget the data (its files were only read)."""
        self._data = None


def _failed(result: ModelResult, error: Exception) -> None:
    result.status, result.error = "failed", f"{type(error).__name__}: {error}"
    logger.error("%s failed: %s", result.name, result.error)


def _finish_each(config: RunConfig, fits: dict, results: dict[str, ModelResult], splits: corpus.Splits,
                 stopwords: str, preparation: Preparation, finished: Finished | None) -> ModelRuns:
    """Each model's fit finished and scored on the test texts, one after another."""
    from imdb_baselines.run.local import top_features_table

    test = corpus.prepare(splits.X_test, corpus.TextPreprocessor(stopwords), n_jobs=min(2, os.cpu_count() or 1))
    done: list[ModelResult] = []
    try:
        for position, (name, result) in enumerate(results.items(), start=1):
            if name not in fits:
                done.append(result)
                continue
            try:
                label = f"[{position}/{len(results)}] {name}"
                with PeakMemory() as memory, stage(label, "finishing the fit (Newton, from disk)") as step:
                    started = time.perf_counter()
                    model = fits.pop(name).finish()
                    result.fit_s += time.perf_counter() - started
                    step.phase("predicting")
                    started = time.perf_counter()
                    raw = raw_scores(model, test)
                    result.predict_s = time.perf_counter() - started
                positive = config.positive_label if config.positive_label is not None or len(splits.classes) != 2 \
                    else splits.classes[1]
                result.predictions, result.scores = predictions_and_scores(raw, model.classes_, positive)
                result.scores = in_class_order(result.scores, model.classes_, splits.classes)
                if config.calibration:  # the model's own (Naive Bayes); no validation texts to scale the SVMs on
                    model, probabilities, result.probability_source = probabilities_for(model, test, raw, None)
                    result.probabilities = None if probabilities is None else \
                        in_class_order(probabilities, model.classes_, splits.classes)
                result.throughput = len(splits.X_test) / max(result.predict_s, 1e-9)
                result.peak_memory_mib = memory.added_bytes / 2**20
                result.top_features = top_features_table(model)
                logger.info("%s from chunks: fit %.1f s, predict %.1f s", name, result.fit_s, result.predict_s)
                if finished is not None:
                    finished(result, model)
                del model
            except KeyboardInterrupt as interrupt:
                stop = RunStopped.from_interrupt(interrupt)
                result.status, result.error = "interrupted", stop.describe()
                done.append(result)
                return ModelRuns(done, preparation, stop)
            except Exception as error:  # one model's failure must not lose the others
                _failed(result, error)
            done.append(result)
    finally:
        for fit in fits.values():
            fit.close()
        test.release()
    return ModelRuns(done, preparation, None)
