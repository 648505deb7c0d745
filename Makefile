# The two commands on a fresh machine: `make demo` and `make test`.
# Everything else (virtual environment, install, database, data) is set up on the way.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SYSTEM := $(VENV)/.system-stamp

.PHONY: help install demo serve test unit lint format bench audit sbom messages text-model clean

help:
	@echo "make demo   - set up, then run the main job on the demo portfolio"
	@echo "make serve  - the web console and API on http://127.0.0.1:8000/ (after make demo)"
	@echo "make test   - set up, then lint, type-check and run the whole test suite"
	@echo "make lint   - ruff (lint + format check), mypy --strict, import contracts"
	@echo "make bench  - run the benchmarks (figures go in bench/RESULTS.md)"
	@echo "make text-model - rebuild the message checker's corpus variants and learned model"
	@echo "make audit  - the locked dependencies against known vulnerabilities"
	@echo "make sbom   - the software bill of materials (CycloneDX JSON in var/)"
	@echo "make messages - extract the console's texts into the zh/en catalogues"

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	@echo "setup: installing Tideover and its pinned dependencies into $(VENV) (a few minutes the first time)"
	$(BIN)/python -m pip install --progress-bar on -c constraints.txt -e '.[dev,spark]'
	@echo "setup: compiling the message checker's loops"
	$(BIN)/python -c "from tideover.compliance.textcheck.grams import compile_ahead; compile_ahead()"
	@touch $(STAMP)

# Chromium, its driver and CJK fonts from Debian, for the browser tests (skipped without root).
$(SYSTEM): tools/setup_system.sh | $(STAMP)
	sh tools/setup_system.sh
	@touch $(SYSTEM)

install: $(STAMP) $(SYSTEM)

demo: $(STAMP)
	$(BIN)/tideover demo

serve: $(STAMP)
	$(BIN)/tideover serve

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/mypy
	$(BIN)/mypy tests/fakes
	$(BIN)/lint-imports

test: lint $(SYSTEM)
	$(BIN)/pytest -q -n 2 --dist loadfile --no-loadscope-reorder
	$(BIN)/python tools/audit_dependencies.py

unit: $(STAMP)
	$(BIN)/pytest -q tests/unit

format: $(STAMP)
	$(BIN)/ruff format src tests bench tools
	$(BIN)/ruff check --fix src tests bench tools

bench: $(STAMP)
	$(BIN)/python bench/dpd_bench.py --loans 1000000

messages: $(STAMP)
	$(BIN)/python tools/messages.py update

# The message checker's learned model is committed (installs never train); this rebuilds
# the corpus's adversarial variants, then the model and its card, from the training split.
text-model: $(STAMP)
	$(BIN)/python -m tideover.compliance.textcheck.variants
	$(BIN)/python -m tideover.compliance.textcheck.train

audit: $(STAMP)
	$(BIN)/python tools/audit_dependencies.py

sbom: $(STAMP)
	@mkdir -p var
	$(BIN)/cyclonedx-py environment --of JSON -o var/sbom.cdx.json $(BIN)/python
	@echo "SBOM written to var/sbom.cdx.json"

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
