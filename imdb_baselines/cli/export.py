"""Export a kept model as ONNX or a TensorFlow SavedModel that takes raw text, and check it against the model."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

__all__ = ["main"]

_EXAMPLES = """\
examples:
  imdb-export --model reports/demo/models/nbsvm --format onnx --out nbsvm-onnx
  imdb-export --model reports/demo/models/fasttext --format savedmodel --out fasttext-savedmodel
  imdb-export --model reports/mine/models/ensemble_region_cnn --member region_cnn_unlabelled \\
      --format onnx --out region-cnn-onnx
"""
_CHECKED = 200  # the run's test texts an export is checked on, at most
_CHECK_TEXTS = [  # for a model kept without its report
    "A moving, beautifully acted film. I loved every minute of it.",
    "Two hours I will never get back. The plot makes no sense<br /><br />and the acting is wooden.",
    "It&#39;s not bad at all, though the middle drags and the villain is a cliché.",
    "I expected the worst from this sequel, but it’s one of the funniest films of the year!",
]


def main(argv: list[str] | None = None) -> int:
    """Export one model; return the exit status."""
    parser = argparse.ArgumentParser(prog="imdb-export", description=__doc__, epilog=_EXAMPLES, allow_abbrev=False,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True,
                        help="a saved model folder (e.g. reports/demo/models/nbsvm, which make demo writes)")
    parser.add_argument("--format", required=True, choices=("onnx", "savedmodel"),
                        help="onnx (every model, run by onnxruntime) or savedmodel (Keras models, TensorFlow)")
    parser.add_argument("--out", required=True, help="the export folder (absent, empty, or an earlier export)")
    parser.add_argument("--member", help="export this member of a stack (e.g. region_cnn_unlabelled of "
                        "models/ensemble_region_cnn) rather than the stack, which does not export")
    parser.add_argument("--external-data", action="store_true", help="ONNX: the weights in model.onnx.data beside "
                        "the graph, which onnxruntime maps from the file instead of copying into memory")
    args = parser.parse_args(argv)
    try:
        from imdb_baselines.exports import export_model, load_export
    except ImportError as error:
        print(f"error: exporting needs onnx, onnxruntime and tf2onnx ({error.name} is missing): "
              "pip install 'imdb-baselines[export]'", file=sys.stderr)
        return 2
    from imdb_baselines.modelfiles import ModelFileError, load_model, predict_texts
    from imdb_baselines.storage import TargetError

    try:
        started = time.perf_counter()
        folder = export_model(args.model, args.format, args.out, external_data=args.external_data,
                              member=args.member)
        print(f"Exported {args.model} as {args.format} to {folder} in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        exported = load_export(folder)
        loaded_s = time.perf_counter() - started
    except (ModelFileError, TargetError, ValueError, ModuleNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # a full disk, a folder that vanished: the export folder keeps what it held
        print(f"error: the export could not be written ({error.strerror or error}: {error.filename or args.out}); "
              "an earlier export in that folder is unchanged.", file=sys.stderr)
        return 1
    model = load_model(args.model)
    texts, origin = _check_texts(Path(args.model))
    expected = predict_texts(dict(model.members_)[args.member] if args.member else model, texts)
    outputs = exported.predict(texts)
    same = sum(str(e["label"]) == str(label) for e, label in zip(expected, outputs["label"]))
    print(f"Loaded in {loaded_s:.2f} s; on {len(texts)} {origin} it gives the model's label for {same}.")
    if "probabilities" in outputs:
        gap = max(abs(e["probability"] - float(p[i])) for e, p, i in
                  zip(expected, outputs["probabilities"], outputs["label_index"]) if e["probability"] is not None)
        print(f"Largest difference in the label's probability: {gap:.2e}")
    return 0 if same == len(texts) else 1


def _check_texts(model: Path) -> tuple[list[str], str]:
    """Texts to check an export on, and what they are: the first test texts of the run that kept the model
    (its report's ``predictions.csv``), or a few reviews written for the check."""
    import pandas as pd

    predictions = model.resolve().parent.parent / "predictions.csv"
    try:
        texts = pd.read_csv(predictions, usecols=["text"], keep_default_na=False, nrows=_CHECKED)["text"]
    except (OSError, ValueError, pd.errors.ParserError):
        return list(_CHECK_TEXTS), "check reviews"
    texts = [text for text in texts.astype(str) if text.strip()]
    return (texts, "of the run's test texts") if texts else (list(_CHECK_TEXTS), "check reviews")


if __name__ == "__main__":
    sys.exit(main())
