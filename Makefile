# Each target sets up the virtual environment it needs, then runs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
ARGS ?=
# The reference comparison: the three baselines, the tutorial's LSTM and the best variant.
REFERENCE := --models naive_bayes,linear_svm,nbsvm,lstm,fasttext --out reports/reference

.PHONY: compare test lint clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,word2vec]'
	touch $@

compare: $(VENV)/.installed  ## run the comparison (ARGS replaces the reference settings)
	$(PY) compare.py $(or $(ARGS),$(REFERENCE))

test: $(VENV)/.installed  ## run the test suite (full-data tests too when IMDB_DATA is set)
	$(PY) -m pytest $(ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache
