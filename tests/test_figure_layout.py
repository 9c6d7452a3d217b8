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


def test_class_names_in_other_scripts_are_drawn_with_a_font_that_has_them(matrices, tmp_path, caplog):
    """Chinese class names come from an installed font that has them (``.ci/run`` installs one); letters that
    no installed font has are written as code points, so two such classes still read apart."""
    import warnings

    from imdb_baselines.evaluation import fonts

    two = dict(sorted(matrices.items())[:2])
    if fonts._family_with("好") is None:
        pytest.skip("no installed font has Chinese letters (.ci/run installs fonts-wqy-zenhei)")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # Matplotlib warns of each glyph its fonts lack
        plot_confusion_matrices(two, ["差", "好"], tmp_path / "chinese.png")
        with fonts.drawable_labels(["差", "好", "\U00013000 b", "\U00013001"]) as shown:
            assert shown == ["差", "好", "U+13000 b", "U+13001"]  # Egyptian hieroglyphs: no font here has them
            plot_confusion_matrices(two, [0, 1], tmp_path / "hieroglyphs.png", names=shown[2:])
    assert "No installed font draws \U00013000\U00013001" in caplog.text
    assert imread(tmp_path / "chinese.png").shape == imread(tmp_path / "hieroglyphs.png").shape
