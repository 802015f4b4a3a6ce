# Front door. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
VENV_CHECKOV := .venv-checkov
PY := $(VENV)/bin/python
TF := $(PY) -m scripts.terraform_runner
ENV ?= pilot
ENVS := pilot team bu
TOPIC ?= How do Step Functions and Bedrock Agents share work in a research workflow?

.PHONY: help setup tf-init test test-deploy docs tf-test tf-mutate style lint security package demo up down iam-report cost bench load plan apply seed-secret library-sync destroy clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

$(VENV_CHECKOV)/.installed: requirements-checkov.txt
	$(PYTHON) -m venv $(VENV_CHECKOV)
	$(VENV_CHECKOV)/bin/pip install --quiet --upgrade pip
	$(VENV_CHECKOV)/bin/pip install --quiet -r requirements-checkov.txt
	touch $@

# asl-validator (npm, pinned by package-lock.json) checks the rendered state machine definitions.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm not found: install Node.js 18+ (asl-validator is an npm package)"; exit 1; }
	npm ci --no-audit --no-fund --silent
	touch $@

# Providers for every Terraform root (terraform/, modules/*, examples/*): from the registry, or from a
# local filesystem mirror (TF_PROVIDER_MIRROR=<dir>, else one found in the usual places).
tf-init: $(VENV)/.installed ## terraform init every root (providers from the registry or a local mirror)
	@$(TF) init

# The two virtualenvs and node_modules are independent: installed side by side (a fresh clone
# spends most of its setup there), then the providers, which need .venv.
setup: ## Create .venv, .venv-checkov, node_modules and the Terraform providers from pinned versions
	@$(MAKE) --no-print-directory -j3 $(VENV)/.installed $(VENV_CHECKOV)/.installed node_modules/.installed
	@$(MAKE) --no-print-directory tf-init

package: $(VENV)/.installed ## Build deterministic Lambda zips under dist/
	$(PY) -m scripts.package_lambdas

# pytest exits 5 when it collected nothing: a gate that tests nothing must not pass.
PYTEST = $(PY) -m pytest -q
define run_pytest
	@$(PYTEST) $(1); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing the run"; exit 1; fi; exit $$status
endef

TEST_OFFLINE := out/test-offline

# The pilot's apply into the test account mostly waits on the provider's own polling, so it runs
# in the background from the start; pytest's end-to-end tests find it applied. They spend part of
# their time waiting on the account, so three pytest workers share the two cores with terraform
# test, which runs beside them (its output is printed when both are done). `terraform test`
# validates each root it tests, so `terraform validate` (in `make lint`) would only repeat it.
test: setup package ## Every offline gate: ruff, fmt, terraform test beside pytest (unit, policy, checkov on the HCL, the pilot applied into the embedded account and run end to end), the IAM report
	@rm -rf $(TEST_OFFLINE); mkdir -p $(TEST_OFFLINE); \
	trap '$(PY) -m scripts.offline.account down --work-dir $(TEST_OFFLINE)/account >/dev/null' EXIT; \
	$(PY) -m scripts.offline.account up --work-dir $(TEST_OFFLINE)/account --deploy pilot --background || exit 1; \
	$(MAKE) --no-print-directory style || exit 1; \
	$(MAKE) --no-print-directory tf-test > $(TEST_OFFLINE)/tf-test.log 2>&1 & tf_test=$$!; \
	OFFLINE_TEST_WORK_DIR=$(CURDIR)/$(TEST_OFFLINE) $(PYTEST) -n 3 -m "not deploy_gate" --ignore=tests/deploy; pytest_status=$$?; \
	wait $$tf_test; tf_test_status=$$?; \
	echo "== terraform test (ran beside pytest)"; cat $(TEST_OFFLINE)/tf-test.log; \
	if [ $$pytest_status -eq 5 ]; then echo "pytest collected no tests: failing the run"; exit 1; fi; \
	if [ $$tf_test_status -ne 0 ]; then echo "terraform test failed (above)"; exit $$tf_test_status; fi; \
	if [ $$pytest_status -ne 0 ]; then exit $$pytest_status; fi; \
	$(PY) -m scripts.offline.iam_report --work-dir $(TEST_OFFLINE)/account --check --quiet

# The deploy_gate tests: tests/deploy, the pilot's plan scan and the checkov scans of team, bu and
# the consumer example, in these files (tests/test_deployment_gates.py fails if one is elsewhere).
# A worker per test, so that all of them start at once: each spends most of its minutes on the
# provider's fixed waits, and the longest, the IAM necessity suite, bounds the run (a worker with a
# second test queued behind a long one keeps it there: pytest-xdist steals only from longer queues).
DEPLOY_GATE_FILES := tests/deploy tests/terraform/test_checkov.py \
	tests/policies/test_custom_policies.py tests/examples/test_consumer.py
test-deploy: setup package ## Slower deployment gates: team, bu and the consumer example applied, re-planned (no diff), run and destroyed; checkov on every plan, team, bu and the consumer example
	@gates=$$($(PYTEST) --collect-only -m deploy_gate $(DEPLOY_GATE_FILES) | grep -c '::') || { echo "no deploy_gate test collected: failing the run"; exit 1; }; \
	echo "$$gates deployment gates, a worker each"; \
	$(PYTEST) -n $$gates -m deploy_gate $(DEPLOY_GATE_FILES)

style: $(VENV)/.installed tf-init ## ruff; module READMEs match their HCL; terraform fmt -check
	$(VENV)/bin/ruff check .
	$(PY) -m scripts.module_docs --check
	@$(TF) fmt

lint: style package ## style, then terraform validate for every root
	@$(TF) validate

docs: $(VENV)/.installed ## Regenerate the inputs/outputs tables in modules/*/README.md from variables.tf and outputs.tf
	$(PY) -m scripts.module_docs

tf-test: $(VENV)/.installed package tf-init ## terraform test: every module, the root stack per env, the example; every rule has its failing run
	@$(TF) coverage
	@$(TF) test

tf-mutate: $(VENV)/.installed package tf-init ## Delete each validation/condition in turn: some suite must fail (slow: minutes)
	@$(TF) mutate

# The plan scan applies each env into the embedded account (the one `make up` keeps, else a
# temporary one), so the plan holds deployed values: minutes on a first run.
security: setup package ## checkov per environment, on the HCL and on its plan, with the custom policies (policies/); JUnit and SARIF under out/security/
	@mkdir -p out/security
	@for env in $(ENVS); do \
		echo "== checkov $$env (HCL)"; \
		$(VENV_CHECKOV)/bin/checkov --config-file .checkov.yaml --external-checks-dir policies -d terraform --var-file envs/$$env.tfvars \
			--output cli --output junitxml --output sarif --output-file-path console,out/security/$$env,out/security/$$env || exit 1; \
		echo "== checkov $$env (plan)"; \
		$(PY) -m scripts.offline.plan --env $$env -- --output cli --output junitxml --output sarif \
			--output-file-path console,out/security/$$env-plan,out/security/$$env-plan || exit 1; \
	done

demo: $(VENV)/.installed package tf-init ## Deploy ENV into the embedded account with terraform apply, run the workflow, write out/demo/
	$(PY) -m scripts.local_run --env $(ENV) --approve auto --topic "$(TOPIC)"

up: $(VENV)/.installed package tf-init ## Keep an embedded AWS account running (later demo/bench runs reuse it and its deployments)
	$(PY) -m scripts.offline.account up

down: $(VENV)/.installed ## Stop the embedded AWS account started by `make up`
	$(PY) -m scripts.offline.account down

iam-report: $(VENV)/.installed ## Per role and IAM statement: the requests that needed it offline, and what no run needed (account of `make up`/`make demo`)
	$(PY) -m scripts.offline.iam_report --work-dir out/offline/account

cost: $(VENV)/.installed ## Monthly cost estimate for the three environments; RUN=out/demo/summary.json prices one offline run
	$(PY) -m scripts.cost_estimate $(if $(RUN),--run $(RUN),--compare)

bench: $(VENV)/.installed package tf-init ## Benchmark the offline run at 8/50/200/500 sources
	$(PY) -m scripts.bench_local

# WORKFLOWS events at once (or RATE a second) on ENV's bus, offline, under the Bedrock quotas ENV is
# sized for (QUOTA_FACTOR scales them), approved at once or APPROVE_AFTER seconds later; SCALE
# stretches every wait, quota minute and RATE second (default 0.25).
load: $(VENV)/.installed package tf-init ## Load test ENV: WORKFLOWS=N requests at once or RATE=per s, under its Bedrock quotas; lost events, throttles, p50/p95 (JSON=1)
	$(PY) -m scripts.load --env $(ENV) --workflows $(or $(WORKFLOWS),50) $(if $(RATE),--rate $(RATE)) \
		$(if $(APPROVE_AFTER),--approve-after $(APPROVE_AFTER)) $(if $(QUOTA_FACTOR),--quota-factor $(QUOTA_FACTOR)) \
		$(if $(SCALE),--time-scale $(SCALE)) $(if $(JSON),--json)

# A deployment to AWS (docs/deploy.md). Terraform reads the env's tfvars and, when it exists,
# envs/<env>.local.tfvars (your subscribers' addresses; ignored by git); VARS passes more arguments,
# e.g. VARS='-var log_retention_in_days=90'. Each target initialises the env's backend first, so a
# target run with ENV=team never reads pilot's state. checkov reads the HCL with ENV's values: in a
# plan from nothing every key ARN is unknown, which checkov reads as "not encrypted" (make security
# scans each env's plan with the values an apply gave it, in the embedded account).
TF_VAR_FILES = -var-file=../envs/$(ENV).tfvars $(if $(wildcard envs/$(ENV).local.tfvars),-var-file=../envs/$(ENV).local.tfvars)
define tf_init_env
	@test -f envs/$(ENV).backend.hcl || { echo "envs/$(ENV).backend.hcl not found: copy envs/$(ENV).backend.hcl.example and name your state bucket (docs/deploy.md)"; exit 2; }
	cd terraform && terraform init -input=false -reconfigure -backend-config=../envs/$(ENV).backend.hcl >/dev/null
endef
# What deletion_protection guards (the tables, the buckets that keep objects, the signing secret's
# recovery window): `make destroy` lifts it on these alone, so nothing else a newer checkout
# changes is applied on the way out.
PROTECTED := module.workflow_store.aws_dynamodb_table.this module.workflow_store.aws_dynamodb_table.search_cache \
	module.artifact_bucket.aws_s3_bucket.this module.code_bucket.aws_s3_bucket.this \
	module.document_library.module.bucket.aws_s3_bucket.this module.approvals.aws_secretsmanager_secret.signing

plan: $(VENV)/.installed package ## terraform plan for ENV (AWS credentials; envs/ENV.local.tfvars and VARS='-var k=v' too), then checkov on ENV's HCL
	$(tf_init_env)
	@mkdir -p out
	cd terraform && terraform plan -input=false $(TF_VAR_FILES) $(VARS) -out=../out/plan-$(ENV).tfplan
	cd terraform && terraform show -json ../out/plan-$(ENV).tfplan > ../out/plan-$(ENV).json
	$(MAKE) --no-print-directory $(VENV_CHECKOV)/.installed
	$(VENV_CHECKOV)/bin/checkov --config-file .checkov.yaml -d terraform --var-file envs/$(ENV).tfvars

apply: ## terraform apply the plan made by `make plan ENV=...`
	$(tf_init_env)
	cd terraform && terraform apply -input=false ../out/plan-$(ENV).tfplan

seed-secret: $(VENV)/.installed ## Store a new random approval signing key in ENV's secret (also how to rotate it)
	$(tf_init_env)
	$(PY) -m scripts.seed_signing_secret --secret-id "$$(terraform -chdir=terraform output -raw approval_signing_secret_arn)"

library-sync: $(VENV)/.installed ## Upload DIR's .md/.txt/.html into ENV's document library and wait until indexed (AWS credentials; DELETE=1 mirrors DIR)
	@test -n "$(DIR)" || { echo "usage: make library-sync ENV=pilot DIR=path/to/documents [DELETE=1]"; exit 2; }
	$(tf_init_env)
	$(PY) -m scripts.library sync "$(DIR)" --wait $(if $(DELETE),--delete,) --bucket "$$(terraform -chdir=terraform output -raw document_library_bucket)"

destroy: ## Remove ENV with every report and document in it (CONFIRM=ENV): lift deletion protection, then terraform destroy
	@test "$(CONFIRM)" = "$(ENV)" || { echo "make destroy deletes $(ENV) with its reports, documents and signing key: run make destroy ENV=$(ENV) CONFIRM=$(ENV)"; exit 2; }
	$(tf_init_env)
	cd terraform && terraform apply -input=false -auto-approve $(TF_VAR_FILES) $(VARS) -var deletion_protection=false $(addprefix -target=,$(PROTECTED))
	cd terraform && terraform destroy -input=false -auto-approve $(TF_VAR_FILES) $(VARS) -var deletion_protection=false

clean: ## Remove build and run outputs (keeps the virtualenvs)
	rm -rf dist out .pytest_cache
