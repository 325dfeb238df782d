"""Benchmarks that print figures: `python -m bench` runs them all, `python -m bench.<name>` one.

Speed budgets are checked here, never in timed unit tests. Each module has a `main() -> None`.
"""
