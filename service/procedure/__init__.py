"""The procedure engine: one table of steps (steps.py) that the API, the console and the
party page all dispatch through (engine.py); the operations each step runs (case_ops.py,
matter_ops.py); a case's and a matter's running deadlines (deadlines.py)."""

from service.procedure.engine import ANY_VERSION, Effect, actions_for, check_version, run_step

__all__ = ["ANY_VERSION", "Effect", "actions_for", "check_version", "run_step"]
