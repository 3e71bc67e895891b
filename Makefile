# 治超案件管理服务 — see README.md. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test test-fast bench lint worker clean

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

## make run: SQLite + embedded Redis + one worker + web on http://127.0.0.1:8000 (Ctrl-C stops all)
run: $(VENV)/.runtime
	$(PY) -m service.embedded

## make test: the whole suite on SQLite and PostgreSQL with a real Redis, in TEST_JOBS processes
## (pytest-xdist, each with its own databases and Redis; default 2, the CI machine's cores;
## TEST_JOBS=0 runs it in this process)
TEST_JOBS ?= 2
test: $(VENV)/.dev
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	  echo "!!! Chromium 未安装：浏览器测试（tests/browser）不会运行。"; \
	  echo "!!! Chromium is missing: the browser tests will NOT run. apt-get install chromium"; \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; }
	$(PY) -m pytest -q -rs -n $(TEST_JOBS) $(PYTEST_ARGS)

## make bench: ingest throughput and latency; repeat-offender status and watch-list check
## at 10 million readings (filled once into bench/.cache); SQLite and PostgreSQL; officer steps
## while the worker drains 100,000 readings on PostgreSQL; the follow-up drain with 1, 2 and 3
## workers and the post latency meanwhile, SQLite and PostgreSQL (prints figures)
bench: $(VENV)/.dev
	$(PY) -m bench.ingest --backend both
	$(PY) -m bench.repeat_watch --backend both
	$(PY) -m bench.officer_steps
	$(PY) -m bench.loadings --backend both
	$(PY) -m bench.trace --backend both
	$(PY) -m bench.police_package
	$(PY) -m bench.drain --backend both
	$(PY) -m bench.stats --backend both

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check service models workers tests bench
	$(VENV)/bin/ruff format --check service models workers tests bench

## make worker [QUEUES=followup,evidence]: one more RQ worker against DATABASE_URL / REDIS_URL,
## serving the given queues (default all) in priority order followup > evidence > imports > exports
QUEUES ?= followup,evidence,imports,exports
worker: $(VENV)/.runtime
	$(PY) -m workers --queues $(QUEUES)

clean:
	rm -rf $(VENV) .pytest_cache
