"""Statistics: the figures agencies publish (service/stats/definitions.py says what each means)."""

from service.stats import case_rollup  # noqa: F401  (keeps the officers' figures with each flush)
