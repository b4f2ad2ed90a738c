# The two commands a newcomer needs: `make brief` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
TORCH_PIN := torch==2.13.0
STAMP  := $(VENV)/.setup-stamp
TEST_STAMP := $(VENV)/.test-stamp

.PHONY: setup brief test fonts clean bench-grouping bench-grouping-scale fit-grouping bench-attribution bench-robustness bench-summarize bench-ingest bench-facts bench-translate bench-day

setup: $(STAMP) fonts

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q $(TORCH_PIN)
	$(PIP) install -q -e .
	touch $(STAMP)

# Persian/Arabic need a font with Arabic shaping; Noto Naskh makes the PDF text exact when copied.
fonts:
	@sh scripts/ensure_fonts.sh

brief: setup
	$(VENV)/bin/briefer build seeds --out out

$(TEST_STAMP): $(STAMP)
	$(PIP) install -q -e '.[test]'
	touch $(TEST_STAMP)

test: setup $(TEST_STAMP)
	$(PY) -m ruff check briefer tests benchmarks
	$(PY) -m pytest -q


clean:
	rm -rf $(VENV) out/brief.* build *.egg-info

bench-grouping: setup
	$(PY) benchmarks/grouping.py

fit-grouping: setup
	$(PY) benchmarks/fit_weights.py

bench-grouping-scale: setup
	$(PY) benchmarks/grouping.py --scale 1000,10000,100000

bench-attribution: setup
	$(PY) benchmarks/attribution.py

# Ingest on the real pages and feeds of ../shared/data/real-web (~1 minute).
bench-ingest: setup
	$(PY) benchmarks/ingest.py

bench-robustness: setup
	$(PY) benchmarks/robustness.py

# Builds a random mT5-base-shaped model once (~3 GB in the cache dir); ~3 minutes on 2 cores.
bench-summarize: setup
	$(PY) benchmarks/summarize.py

bench-facts: setup
	$(PY) benchmarks/facts.py

# Builds a random m2m100_418M-shaped model once (~2 GB plus its ~0.5 GB int8 copy in the cache
# dir); --quick runs the naive path on 20 sentences and scales it to 200.
bench-translate: setup
	$(PY) benchmarks/translate.py --quick

# A cold day of 1,000 made articles, every format: per-stage seconds, the embedding floor,
# json-only, warm re-run (about 10 minutes on 2 idle cores). --n 287 / 5000, --short: other days.
bench-day: setup
	$(PY) benchmarks/day.py
