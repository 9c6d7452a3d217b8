# Each target sets up the virtual environment it needs, then runs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
ARGS ?=

.PHONY: compare test lint bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,word2vec]'
	touch $@

compare: $(VENV)/.installed  ## run the comparison and write a report under reports/
	$(PY) compare.py $(ARGS)

test: $(VENV)/.installed  ## run the test suite (full-data tests too when IMDB_DATA is set)
	$(PY) -m pytest $(ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

bench: $(VENV)/.installed  ## full-data speed and accuracy measurements
	$(PY) benchmarks/run_all.py $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
