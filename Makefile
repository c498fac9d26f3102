PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup test demo bench dataset clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Re-install when the package metadata changes. torch is pinned to the CPU build 2.13.0 and
# installed first, so no dependency can pull a CUDA build.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q "torch==2.13.0"
	$(BIN)/pip install -q -e ".[test,web,scale]"
	touch $(STAMP)

setup: $(STAMP)

test: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

demo: $(STAMP)
	$(BIN)/redoxscreen demo

bench: $(STAMP)
	$(BIN)/python bench/bench_core.py
	$(BIN)/python bench/bench_screen.py
	$(BIN)/python bench/bench_screen_stages.py
	$(BIN)/python bench/bench_uncertainty.py
	$(BIN)/python bench/bench_campaign.py
	$(BIN)/python bench/bench_oracle.py
	$(BIN)/python bench/bench_oracle_solution.py
	$(BIN)/python bench/bench_zoo.py --dataset small
	$(BIN)/python bench/bench_zoo.py --dataset ocelot
	$(BIN)/python bench/bench_dmpnn.py
	$(BIN)/python bench/bench_dmpnn_descriptors.py

dataset: $(STAMP)
	$(BIN)/python scripts/make_default_dataset.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info src/*.egg-info
