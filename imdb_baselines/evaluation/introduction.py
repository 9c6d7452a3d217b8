"""The opening of a comparison's report: what was compared on which texts, and what to keep in mind."""

from __future__ import annotations

from typing import Any

from imdb_baselines import corpus
from imdb_baselines.evaluation.metrics import SKEW_RATIO, is_skewed

__all__ = ["introduction"]


def _shown(label, dataset: str | None) -> str:
    """A class in the report's text: its label, and its name where the label is a code (IMDB: `1` positive)."""
    name = corpus.shown_label(label, dataset)
    return f"`{label}`" if name == str(label) else f"`{label}` ({name})"


def _skew_note(supports: list[int], dataset: str | None, classes: list, weighted: bool = False) -> list[str]:
    """A note on skewed test classes (:func:`is_skewed`), naming the largest and smallest."""
    counts = {c: n for c, n in zip(classes, supports) if n > 0}
    if not is_skewed(list(counts.values())):
        return []
    largest, smallest = max(counts, key=counts.get), min(counts, key=counts.get)
    return [f"> **Skewed classes:** the test set's largest class, {_shown(largest, dataset)}, has "
            f"{counts[largest] / counts[smallest]:.1f} times the texts of the smallest, {_shown(smallest, dataset)} "
            f"({counts[largest]:,} against {counts[smallest]:,}; more than {SKEW_RATIO:g} times counts as skewed). "
            "Accuracy rewards the larger classes, so the leaderboard adds balanced accuracy (the mean recall of "
            "the classes), macro F1 and average precision (the area under the precision-recall curve"
            + (", macro over classes" if len(classes) > 2 else "") + ")"
            + ("." if weighted else "; `--class-weight balanced` weighs the classes alike in training."), ""]


def introduction(provenance: dict[str, Any], primary: str, warnings: list[str], stopped: str | None,
                 supports: list[int] | None = None) -> list[str]:
    """The report's opening paragraphs: the splits (or out-of-fold scoring), classes, stopwords and fingerprint;
    groups, engine, shared texts, skewed classes and class weights where they apply; warnings; an early stop."""
    sizes, classes = provenance["split_sizes"], provenance["classes"]
    folds = provenance.get("settings", {}).get("cv", 0)
    if provenance.get("out_of_fold"):
        where = (f"No test set: each of the {sizes['test']:,} labelled texts is scored once by the model of the "
                 f"{folds}-fold cross-validation that did not see it; every figure outside the cross-validation "
                 "section comes from those out-of-fold scores, and calls these texts the test texts. The kept "
                 f"models are fitted on {sizes['train']:,} texts; validation: {sizes['validation']:,}. ")
    else:
        engine_name = provenance.get("engine", {}).get("engine", "local")
        uses = ("early stopping, the stacks and the margins' probability scale; the baselines never train on it"
                if engine_name == "local" else f"set aside: the {engine_name} engine reads none of it")
        where = (f"Test set: {sizes['test']:,} texts, touched once per model. Training: {sizes['train']:,}; "
                 f"validation ({uses}): {sizes['validation']:,}. ")
    lines = [where +
             f"{len(classes)} classes: {', '.join(_shown(c, provenance.get('dataset')) for c in classes)}"
             + (f" (positive: {_shown(provenance['positive_label'], provenance.get('dataset'))})"
                if provenance["positive_label"] is not None else "")
             + f". Stopword list for every model: {provenance['stopwords'][primary]}. "
             f"Split fingerprint `{provenance['fingerprints'][primary][:16]}`.", ""]
    groups = provenance.get("groups")
    if groups:
        sides = (f"training {groups['train']:,}, validation {groups['validation']:,}" +
                 ("" if provenance.get("out_of_fold") else f", test {groups['test']:,}"))
        lines += [f"Groups: `{groups['column']}` ({sides}); the validation carve and every fold take whole groups"
                  + ("." if provenance.get("out_of_fold") else
                     f", and {groups['shared']:,} group(s) occur in both the training side and the test set."), ""]
    engine = provenance.get("engine", {})
    if engine.get("engine") == "chunked":
        lines += [f"Engine: chunked (the training texts read {engine.get('chunk_rows'):,} rows at a time, with hashed "
                  "n-grams); the split and tokens are the local engine's. Linear models: "
                  f"{engine.get('linear_models')}.", ""]
    elif engine.get("engine", "local") != "local":
        lines += [f"Engine: Apache Spark {engine.get('spark_version', '')} (master `{engine.get('master')}`, "
                  f"{engine.get('default_parallelism')} cores); the split and tokens are the local engine's. "
                  f"Linear models: {engine.get('linear_models', 'Spark ML')}. No model files are kept.", ""]
    shared = provenance["test_texts_also_in_training"]
    if shared:
        lines += [f"> **Validity warning:** {shared:,} test text(s) also occur, character for character, in the "
                  "training or validation texts, which flatters every model. `--drop-duplicates` removes them "
                  "from training and validation.", ""]
    weighted = [name for name, settings in provenance.get("model_settings", {}).items()
                if settings.get("class_weight") == "balanced"]
    lines += _skew_note(supports or [], provenance.get("dataset"), classes, weighted=bool(weighted))
    if weighted:
        lines += [f"Class weights: balanced (each class weighed inversely to its training frequency; Naive Bayes: "
                  f"equal priors) for {', '.join(f'`{name}`' for name in weighted)}.", ""]
    lines += [f"> **Warning:** {warning}\n" for warning in warnings]
    resumed = provenance.get("resumed")
    if resumed:
        names, one = ", ".join(f"`{name}`" for name in resumed["models"]), len(resumed["models"]) == 1
        lines += [f"> **Resumed:** {names} {'comes' if one else 'come'} from the stopped run this one finishes (the "
                  "same data, split, options, settings, code and libraries), not fitted again; "
                  f"{'its' if one else 'their'} fit and prediction times were measured then.", ""]
    if stopped:
        lines += [f"> **This run was stopped early** ({stopped}); only the models listed below finished. The same "
                  "command with `--resume` finishes it.", ""]
    return lines
