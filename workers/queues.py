"""Queue names and job defaults."""

DEFAULT_QUEUE = "default"
QUEUES = (DEFAULT_QUEUE,)
