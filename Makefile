# Sigmoid to GPT — entry points. `make lab` to learn, `make test` to check everything.
# Both create the environment in .venv on first use and reuse it afterwards: it is rebuilt only
# when pyproject.toml or constraints.txt change.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.course-installed
KERNEL  = sigmoid-to-gpt
PORT   ?= 8888
LAB_DIR ?= notebooks
# Tiny Shakespeare ships in data/, and MNIST's default sample inside an installed package, so
# the tests and saved notebooks need no network and no copy outside the checkout.
# COURSE_PROGRESS=0: tests and saved notebooks never read or write a learner's progress record.
TEST_ENV = PYTHONHASHSEED=0 COURSE_PROGRESS=0

.PHONY: bench chapter-table help lab test test-browser test-fast test-notebooks student nbgrader lint format execute times kernel constraints clean site wheel

help:
	@echo "make lab        set up (first time only) and open JupyterLab on the course (LAB_DIR=student: the student versions)"
	@echo "make test       set up (first time only) and run the whole test suite"
	@echo "make test-fast  unit tests only (no notebook execution, no browser, none of the slow round trips)"
	@echo "make test-browser  every widget driven in JupyterLab in headless Chromium"
	@echo "make student    write student versions (solutions removed) into student/"
	@echo "make nbgrader   export the chapters as an nbgrader course into nbgrader-course/ (README: For instructors)"
	@echo "make execute    re-run every notebook top to bottom and save it (NB=path for one)"
	@echo "make chapter-table  refresh the README's chapter table and CONTRIBUTING's module table"
	@echo "make site       the executed notebooks as a static website in site/ (open site/index.html)"
	@echo "make wheel      build the course's wheel (checkpoint included) into dist/"
	@echo "make bench      GPT training throughput and KV-cache speed-up (benchmarks/README.md)"
	@echo "make lint       ruff on the package, tests and notebooks"
	@echo "make clean      remove the environment and caches"

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python 3.10 or newer is needed, found " + sys.version.split()[0]'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,instructor]"
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (Sigmoid to GPT)" >/dev/null
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=$(LAB_DIR) --port=$(PORT) $(if $(filter 0,$(shell id -u)),--allow-root)

test: $(STAMP)
	$(TEST_ENV) $(BIN)/python -m pytest tests notebooks --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=600

test-fast: $(STAMP)
	$(TEST_ENV) $(BIN)/python -m pytest tests -m "not browser and not slow"

test-browser: $(STAMP)
	$(TEST_ENV) $(BIN)/python -m pytest tests -m browser

test-notebooks: $(STAMP)
	$(TEST_ENV) $(BIN)/python -m pytest notebooks --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=600

student: $(STAMP)
	$(BIN)/python -m course_utils.student notebooks student $(if $(FORCE),--force)

COURSE_DIR ?= nbgrader-course
nbgrader: $(STAMP)
	$(BIN)/python -m course_utils.nbgrader notebooks $(COURSE_DIR) $(if $(CHAPTERS),--chapters $(CHAPTERS)) $(if $(FORCE),--force)

NB ?= notebooks
execute: $(STAMP)
	$(TEST_ENV) $(BIN)/python -m course_utils.execute $(NB) --times benchmarks/notebook_times.json

lint: $(STAMP)
	$(BIN)/ruff check course_utils tests benchmarks notebooks

format: $(STAMP)
	$(BIN)/ruff format course_utils tests benchmarks

chapter-table: $(STAMP)
	$(BIN)/python -m course_utils.course_map

site: $(STAMP)
	$(BIN)/python -m course_utils.site --notebooks notebooks --out site

# offline, with the environment's setuptools; `pip install dist/sigmoid_to_gpt-*.whl` anywhere
wheel: $(STAMP)
	$(BIN)/python -m pip wheel --no-deps --no-build-isolation --wheel-dir dist .

bench: $(STAMP)
	$(TEST_ENV) $(BIN)/python benchmarks/bench_gpt_throughput.py
	$(TEST_ENV) $(BIN)/python benchmarks/bench_gpt_kv_cache.py

kernel: $(STAMP)
	$(BIN)/python -m ipykernel install --user --name $(KERNEL) --display-name "Python (Sigmoid to GPT)"

constraints: $(STAMP)
	$(BIN)/python -m pip freeze --all --exclude pip --exclude-editable | grep -v '^-e' > constraints.new && mv constraints.new constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache student site build dist
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
