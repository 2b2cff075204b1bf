# The two set-up commands of the README: `make run` and `make test`.
.PHONY: run test lint bench screenshots

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

# Refresh the README's screenshots (docs/screenshots/) from the browser tests.
screenshots:
	scripts/bootstrap --test
	LIVESTAGE_SCREENSHOTS_DIR=docs/screenshots .venv/bin/python -m pytest tests/browser
