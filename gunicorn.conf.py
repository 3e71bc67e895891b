"""Settings every gunicorn started from this folder reads (make run, Docker, benches, tests).

gunicorn opens a control socket (gunicornc: show workers, add or remove workers, reload …) at
~/.gunicorn/gunicorn.ctl unless told otherwise: every instance on a host would bind that one
path, and one instance's control commands would reach another. Each instance gets its own:
GUNICORN_CONTROL_SOCKET when set, else instance/run/gunicorn-<master pid>.ctl (this file is
read in the master, so the pid names the instance; `gunicornc -s <that path>` talks to it).
"""

import os
import tempfile
from pathlib import Path

SOCKET_PATH_MAX = 100  # a unix socket path is limited to ~107 bytes


def _control_socket() -> str:
    if os.environ.get("GUNICORN_CONTROL_SOCKET"):
        return os.environ["GUNICORN_CONTROL_SOCKET"]
    run = Path(os.environ.get("INSTANCE_DIR") or Path(__file__).resolve().parent / "instance") / "run"
    if len(str(run)) > SOCKET_PATH_MAX - 24:
        run = Path(tempfile.gettempdir()) / f"zhichao-gunicorn-{os.getuid()}"
    run.mkdir(parents=True, exist_ok=True, mode=0o700)
    return str(run / f"gunicorn-{os.getpid()}.ctl")


control_socket = _control_socket()
