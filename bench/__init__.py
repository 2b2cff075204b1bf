"""Benchmarks of Live Stage, each compared with a peer where one exists.

Run them all with ``python -m bench``; every benchmark is a module exposing
``run(options) -> list[Result]`` (see ``bench.results``), listed in ``bench.__main__``.
"""
