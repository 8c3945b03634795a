# Everyday commands; each one bootstraps .venv first (a no-op when nothing changed).
.PHONY: bootstrap run test lint format migrate bench

bootstrap:
	scripts/bootstrap

run: bootstrap
	scripts/run $(ARGS)

test: bootstrap
	scripts/test $(ARGS)

lint: bootstrap
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy

format: bootstrap
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

migrate: bootstrap
	.venv/bin/mentorbot db upgrade

bench: bootstrap
	.venv/bin/python -m benchmarks.lifecycle $(ARGS)
