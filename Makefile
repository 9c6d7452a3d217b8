# Each target sets up the virtual environment it needs, then runs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
ARGS ?=
# The reference comparison: the three baselines, their ensemble, the tutorial's LSTM, the fastText variants and the
# region CNN with region embeddings learned from the unlabelled reviews, three seeds each; the validation carve takes
# whole movies, as the official test set holds other movies than training.
REFERENCE := --models naive_bayes,linear_svm,nbsvm,ensemble,lstm,fasttext,fasttext_trigrams,fasttext_w2v,region_cnn_unlabelled,ensemble_region_cnn --repeats 3 --group-column movie --out reports/reference
# The demo: the three baselines, their ensemble and fastText on the full data, in a few minutes on two cores.
DEMO_OUT ?= reports/demo
DEMO := --models naive_bayes,linear_svm,nbsvm,ensemble,fasttext --group-column movie --out $(DEMO_OUT)

.PHONY: demo demo-report compare run serve test lint clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,neural,word2vec,serve,export,spark,track]'
	touch $@

demo: demo-report  ## a first look in minutes: train the demo models into reports/demo, then serve them on http://127.0.0.1:8000/
	$(VENV)/bin/imdb-serve $(DEMO_OUT)

demo-report: $(VENV)/.installed  ## the demo's comparison only (ARGS adds options, e.g. --data PATH)
	$(PY) compare.py $(DEMO) $(ARGS)

compare: $(VENV)/.installed  ## the reference comparison into reports/reference (ARGS adds options, e.g. --data PATH)
	$(PY) compare.py $(REFERENCE) $(ARGS)

run: $(VENV)/.installed  ## any other comparison: ARGS are compare.py's options; the report goes to reports/<run-name>
	$(PY) compare.py $(ARGS)

serve: $(VENV)/.installed  ## serve the reference models: a JSON API and a page on http://127.0.0.1:8000/ (ARGS: imdb-serve's options)
	$(VENV)/bin/imdb-serve reports/reference $(ARGS)

test: $(VENV)/.installed  ## run the test suite (full-data tests too when IMDB_DATA is set)
	$(PY) -m pytest $(ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache
