# The two set-up commands of the README: `make run` and `make test`.
.PHONY: run test lint bench

run:
	scripts/bootstrap
	.venv/bin/livestage serve

test:
	scripts/bootstrap --test
	.venv/bin/ruff check .
	.venv/bin/mypy
	.venv/bin/python -m pytest

bench:
	scripts/bootstrap --test
	.venv/bin/python -m bench
