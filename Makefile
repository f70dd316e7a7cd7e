# The two commands a newcomer needs: `make demo` and `make test`.
# Both work on a fresh clone with only Python 3.10+, git and make: they create .venv themselves.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check
# The venv itself, the runtime install (what `make demo` needs) and the test install.
VENV_STAMP := $(VENV)/.created
BASE_STAMP := $(VENV)/.installed-base
STAMP := $(VENV)/.installed

# make demo: the bundled example (examples/capitalization), rendered into a git-ignored folder.
# Everything under demo-output/ is generated and replaced on every run.
DEMO_OUT := $(CURDIR)/demo-output
DEMO_SCRATCH := $(DEMO_OUT)/scratch
DEMO_DATE := $(shell date +%Y-%m-%d)
DEMO_NAME := words_8L_500_lora_rank_comparison_$(DEMO_DATE)
DEMO_DST := $(DEMO_SCRATCH)/ck-experiments/$(DEMO_NAME)
DEMO_INTERACTIVE_DST := $(DEMO_SCRATCH)/ck-experiments/my-first-design
# --vcs-ref HEAD: render this checkout, not the newest release tag. Uncommitted edits are included
# (copier snapshots them in a temporary commit, which `copier update` in the demo cannot find later:
# commit first when you want to try updates on the demo).
COPIER_SRC := --vcs-ref HEAD '$(CURDIR)'
# ck_design.__version__, read without importing it (so `make tag` needs no venv).
VERSION := $(shell sed -n 's/^__version__ = "\(.*\)"$$/\1/p' validators/ck_design/__init__.py)

# This repository's own pre-commit hooks (.pre-commit-config.yaml): ruff, generated files in sync, the example valid.
lint: $(STAMP)
	PATH='$(CURDIR)/$(BIN)':"$$PATH" $(BIN)/pre-commit run --all-files

.PHONY: lint install test test-fast demo demo-interactive schema docs readme bench release tag release-checks clean

$(VENV_STAMP):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	touch $(VENV_STAMP)

$(BASE_STAMP): pyproject.toml $(VENV_STAMP)
	$(PIP) install -e .
	touch $(BASE_STAMP)

$(STAMP): pyproject.toml $(VENV_STAMP)
	$(PIP) install -e '.[test]'
	touch $(STAMP) $(BASE_STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

# The inner loop: every test that starts no copier, git, pre-commit, make or pty (tests/conftest.py
# marks the others e2e). `make test` runs both; CI runs `make test`.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 -m 'not e2e' $(PYTEST_ARGS)

# schemas/*.json (for other tools) and validate/compiled_schema.py (what ck-validate runs), from spec/schema.py.
schema: $(STAMP)
	$(BIN)/python -m ck_design.spec.jsonschema
	$(BIN)/python -m ck_design.validate.schema_shape

# docs/rules.md is generated from the rule registry (a test keeps it in sync).
docs: $(BASE_STAMP)
	$(BIN)/python -m ck_design.validate.registry --docs > docs/rules.md.tmp
	mv docs/rules.md.tmp docs/rules.md

demo: $(BASE_STAMP)
	@rm -rf '$(DEMO_OUT)'
	@echo '== 1/4 inputs: the example claude.local.md and answers, every path made absolute'
	$(BIN)/python examples/prepare_demo.py '$(DEMO_OUT)'
	@echo '== 2/4 render the design non-interactively (the wizard with the answers file)'
	CK_LOCAL_CONFIG='$(DEMO_OUT)/claude.local.md' $(BIN)/copier copy --trust --defaults \
	  --data-file '$(DEMO_OUT)/answers.yml' \
	  --data experiment_name=$(DEMO_NAME) --data experiment_date=$(DEMO_DATE) \
	  $(COPIER_SRC) '$(DEMO_DST)'
	@echo '== 3/4 validate the design, with its resources (models, dataset, task script)'
	$(BIN)/ck-validate --check-resources '$(DEMO_DST)/experiment_summary.yaml'
	@echo '== 4/4 validate the design log'
	$(BIN)/ck-validate --log '$(DEMO_DST)/logs/design-experiment.log'
	@echo
	@echo 'Demo experiment: $(DEMO_DST)'
	@echo '  design:  $(DEMO_DST)/experiment_summary.yaml'
	@echo '  plan:    $(DEMO_DST)/README.md'
	@echo '  log:     $(DEMO_DST)/logs/design-experiment.log'
	@echo 'Next: open the plan, or edit the design and run $(CURDIR)/$(BIN)/ck-validate on it;'
	@echo 'inside the experiment, $(CURDIR)/$(BIN)/copier update --trust --vcs-ref HEAD changes the design (see README.md of ck-design, step 4).'
	@echo '`make demo` again starts over.'

demo-interactive: $(BASE_STAMP)
	@rm -rf '$(DEMO_INTERACTIVE_DST)'
	$(BIN)/python examples/prepare_demo.py '$(DEMO_OUT)'
	@echo
	@echo 'The wizard reads its defaults from $(DEMO_OUT)/claude.local.md; Enter takes a default.'
	@echo 'Type a question; for the dataset path paste the "dataset:" line above; for the evaluation'
	@echo 'task the wizard offers the "task:" script above (type a path that does not exist instead to'
	@echo 'see a missing script become a prerequisite in the plan). Declining at the approval step'
	@echo 'writes nothing.'
	CK_LOCAL_CONFIG='$(DEMO_OUT)/claude.local.md' $(BIN)/copier copy --trust \
	  $(COPIER_SRC) '$(DEMO_INTERACTIVE_DST)'
	$(BIN)/ck-validate --check-resources '$(DEMO_INTERACTIVE_DST)/experiment_summary.yaml'
	@echo
	@echo 'Your experiment: $(DEMO_INTERACTIVE_DST)'
	@echo '  plan:    $(DEMO_INTERACTIVE_DST)/README.md'

# README.md shows real ck-validate output; after a message changes, refresh it (tests/test_readme.py checks it).
readme: $(STAMP)
	$(BIN)/python tests/test_readme.py

bench: $(STAMP)
	$(BIN)/python benchmarks/validate.py $(BENCH_ARGS)

# Cut a release: see docs/releasing.md. Checks, runs the suite, then tags v<version>; pushing is left to you.
release: release-checks
	$(MAKE) test
	$(MAKE) --no-print-directory tag

# The checks and the annotated tag alone, without the suite (tests/test_release.py tags a temporary clone with it).
tag: release-checks
	git tag -a 'v$(VERSION)' -m 'ck-design $(VERSION)'
	@echo 'Tagged v$(VERSION). Publish it with: git push origin v$(VERSION)'

release-checks:
	@test -n '$(VERSION)' || { echo 'release: no __version__ = "X.Y.Z" line in validators/ck_design/__init__.py'; exit 1; }
	@test -z "$$(git status --porcelain)" || { echo 'release: the work tree is not clean'; exit 1; }
	@grep -q '^## \[$(VERSION)\]' CHANGELOG.md || { echo 'release: CHANGELOG.md has no "## [$(VERSION)]" section'; exit 1; }
	@! git rev-parse -q --verify 'refs/tags/v$(VERSION)' >/dev/null || { echo 'release: tag v$(VERSION) exists; bump ck_design.__version__ first'; exit 1; }

clean:
	rm -rf $(VENV) demo-output
