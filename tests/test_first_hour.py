"""What a newcomer meets first: the README's first screen, a demo that runs in minutes, examples that exist."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_ROOT

ROOT = Path(__file__).resolve().parents[1]


def test_the_readme_starts_with_a_quick_start_and_a_table_of_contents():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_screen = "\n".join(text.splitlines()[:45])
    assert "## Quick start" in first_screen and "make demo" in first_screen and "## Contents" in first_screen
    headings = re.findall(r"^## (.+)$", text, flags=re.M)
    assert headings.index("Using the pieces") < headings.index("Beyond one machine: the Spark engine")
    for anchor in re.findall(r"\]\(#([a-z0-9-]+)\)", text):  # every link of the contents leads somewhere
        assert anchor in {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-")
                          for h in re.findall(r"^#+ (.+)$", text, flags=re.M)}, anchor


@pytest.mark.parametrize("page", ["README.md", "docs/adding-a-model.md"])
def test_every_python_example_in_the_docs_names_what_the_package_has(page):
    """Each example compiles, and each name it imports or reads from an imported module exists."""
    import ast
    import importlib

    blocks = re.findall(r"```python\n(.*?)```", (ROOT / page).read_text(encoding="utf-8"), flags=re.S)
    assert blocks
    for block in blocks:
        tree = ast.parse(block)
        modules = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules.update({alias.asname or alias.name: importlib.import_module(alias.name)
                                for alias in node.names})
            elif isinstance(node, ast.ImportFrom):
                module = importlib.import_module(node.module)
                for alias in node.names:
                    assert hasattr(module, alias.name), f"{page}: {node.module} has no {alias.name}"
                    if isinstance(getattr(module, alias.name), type(module)):
                        modules[alias.asname or alias.name] = getattr(module, alias.name)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules:
                assert hasattr(modules[node.value.id], node.attr), f"{page}: {node.value.id} has no {node.attr}"


def test_the_demo_target_trains_five_models_that_the_examples_then_use(tmp_path):
    out = tmp_path / "demo"
    done = subprocess.run(["make", "-s", "-o", ".venv/.installed", "demo-report", f"DEMO_OUT={out}",
                           f"PY={sys.executable}",
                           f"ARGS=--data {FIXTURE_ROOT} --excerpt --epochs 1 --bootstrap 0 --quiet"],
                          cwd=ROOT, capture_output=True, text=True, timeout=900,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert sorted(p.name for p in (out / "models").iterdir()) == ["ensemble", "fasttext", "linear_svm",
                                                                  "naive_bayes", "nbsvm"]
    answered = subprocess.run([sys.executable, "-m", "imdb_baselines.cli.predict", "--all", str(out), "--quiet",
                               "A moving, beautifully acted film."], capture_output=True, text=True, timeout=300)
    assert answered.returncode == 0 and "nbsvm" in answered.stdout


@pytest.mark.parametrize("program", ["predict", "serve", "export"])
def test_help_examples_point_at_the_demo_not_at_an_uncommitted_folder(program):
    done = subprocess.run([sys.executable, "-m", f"imdb_baselines.cli.{program}", "--help"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and "reports/demo" in done.stdout and "reports/reference/models" not in done.stdout


def test_a_missing_model_folder_says_how_to_get_one_instead_of_naming_itself(capsys):
    from imdb_baselines.cli import predict

    assert predict.main(["--model", "reports/demo/models/nbsvm-missing", "Good."]) == 2
    message = capsys.readouterr().err
    assert "make demo" in message and "reports/demo/models/nbsvm " not in message
