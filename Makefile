# alignkit — `make` lists the targets.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(abspath $(BIN)):$(PATH)
export PYTHONHASHSEED := 0

.DEFAULT_GOAL := help
.PHONY: help install browser java demo-data demo lint test test-unit test-notebooks docs notebooks clean
CHROMIUM ?= /usr/bin/chromium

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "alignkit needs Python 3.11+, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,docs]'
	@# compile umap-learn's numba code once (~20 s): later fresh processes draw the persona map in seconds
	$(BIN)/python -c 'import umap.umap_'
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install alignkit with its dependencies

browser: ## install Debian's chromium for the browser test (apt-get, as root), unless it is there
	@if [ -x "$(CHROMIUM)" ]; then \
		echo "browser: $(CHROMIUM) is installed"; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "browser: installing Debian's chromium with apt-get"; \
		{ apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			-o DPkg::Lock::Timeout=600 chromium; } || { echo "browser: apt-get could not install chromium;" \
			"the browser test will be skipped (and fail in CI)."; [ -z "$$CI" ]; }; \
	else \
		echo "browser: $(CHROMIUM) is missing and apt-get cannot install it here (needs Debian and root):" \
			"the browser test (tests/test_browser.py) will be skipped."; \
	fi

java: ## install Debian's OpenJDK (default-jre-headless) for the Spark test (apt-get, as root), unless java runs
	@if java -version >/dev/null 2>&1; then \
		echo "java: $$(java -version 2>&1 | head -1)"; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "java: installing Debian's default-jre-headless with apt-get"; \
		{ apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			-o DPkg::Lock::Timeout=600 default-jre-headless; } || { echo "java: apt-get could not install" \
			"default-jre-headless; the Spark test will be skipped (and fail in CI)."; [ -z "$$CI" ]; }; \
	else \
		echo "java: java is missing and apt-get cannot install it here (needs Debian and root):" \
			"the Spark test (tests/engine/test_spark.py) will be skipped."; \
	fi

demo-data: $(STAMP) ## write the synthetic demo exports into data/raw
	$(BIN)/alignkit demo-data --dir data/raw

demo: demo-data ## run the whole pipeline on the demo data: data/processed/ and reports/
	$(BIN)/alignkit run --project alignkit.yml

lint: $(STAMP) ## ruff and mypy: style and types
	$(BIN)/ruff check alignkit tests bench docs
	$(BIN)/ruff format --check alignkit tests bench docs
	$(BIN)/mypy alignkit

test-unit: demo-data ## unit and planted-truth tests (spread over the machine's cores)
	$(BIN)/python -m pytest tests -q -n auto --dist loadgroup

test-notebooks: demo-data ## validate every notebook with nbval (outputs must match)
	$(BIN)/python -m pytest -q -p no:cacheprovider --nbval --nbval-current-env \
		--nbval-sanitize-with notebooks/sanitize.cfg notebooks/

docs: $(STAMP) ## build the documentation site into site/ (mkdocs --strict)
	@# NO_MKDOCS_2_WARNING: mkdocs-material prints a banner about its successor on every build; it is not a warning
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

test: lint browser java test-unit test-notebooks docs ## set up if needed, check style and types, run the unit, pipeline, browser and Spark tests, validate the notebooks, build the docs

notebooks: demo-data ## re-execute the notebooks in place (commit them with their outputs)
	for nb in notebooks/[0-9][0-9]_*.ipynb; do \
		$(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=900 "$$nb" || exit 1; \
	done

clean: ## remove generated data, reports and the virtual environment
	rm -rf $(VENV) data/processed/*.parquet reports/*.html reports/0* test-artifacts site
