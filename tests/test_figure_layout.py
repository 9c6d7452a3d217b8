"""The confusion-matrix figure of many models: rows of panels, not one long strip."""

import json
from pathlib import Path

import pytest
from matplotlib.image import imread

from imdb_baselines.evaluation.plots import PANELS_PER_ROW, plot_confusion_matrices

REFERENCE = Path(__file__).resolve().parents[1] / "reports" / "reference" / "results.json"


@pytest.fixture(scope="module")
def matrices():
    """The reference run's ten models' confusion matrices on IMDB's test set."""
    return json.loads(REFERENCE.read_text(encoding="utf-8"))["confusion_matrices"]


@pytest.mark.parametrize("count, rows", [(1, 1), (4, 1), (PANELS_PER_ROW, 1), (10, 2)])
def test_panels_fill_rows(matrices, tmp_path, count, rows):
    chosen = dict(sorted(matrices.items())[:count])
    path = plot_confusion_matrices(chosen, [0, 1], tmp_path / "confusion.png", names=["negative", "positive"])
    height, width = imread(path).shape[:2]
    columns = min(count, PANELS_PER_ROW)
    assert width == pytest.approx(columns * 320, abs=2)  # a panel is 3.2 inches at 100 dpi for two classes
    assert height == pytest.approx(rows * 350, abs=2)


def test_cells_without_a_model_stay_blank(matrices, tmp_path):
    figure_path = plot_confusion_matrices(dict(sorted(matrices.items())[:7]), [0, 1], tmp_path / "seven.png")
    image = imread(figure_path)
    # the second row's last three cells hold no panel: plain white
    empty = image[image.shape[0] // 2 + 10:, 2 * image.shape[1] // 5 + 5:, :3]
    assert empty.min() == pytest.approx(1.0)
    drawn = image[image.shape[0] // 2 + 10:, : 2 * image.shape[1] // 5 - 5, :3]
    assert drawn.min() < 0.5
