"""Each gunicorn instance has its own control socket (issue 16 item 11): two instances started
from the project folder (as `make run`, Docker and the benches start them) bind two sockets, and
`gunicornc` on each reaches that instance only (before, both bound ~/.gunicorn/gunicorn.ctl)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from service.config import ROOT

GUNICORNC = Path(sys.executable).with_name("gunicornc")


def _start(instance: Path, workers: int) -> subprocess.Popen:
    env = {**os.environ, "INSTANCE_DIR": str(instance), "DATABASE_URL": f"sqlite:///{instance / 'db.sqlite'}"}
    env.pop("GUNICORN_CONTROL_SOCKET", None)
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "wsgi:app", "--bind", "127.0.0.1:0", "--workers", str(workers)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _workers(socket: Path) -> int:
    out = subprocess.run(
        [str(GUNICORNC), "-s", str(socket), "-c", "show workers", "-j"], capture_output=True, text=True, timeout=20
    )
    return json.loads(out.stdout)["count"]


def test_two_instances_have_two_control_sockets_each_reaching_its_own():
    # A short folder: under pytest-xdist tmp_path is long enough that gunicorn.conf.py moves the
    # socket to the temporary folder (a unix socket path is limited to ~107 bytes), and the
    # instance folder is what this test is about.
    tmp_path = Path(tempfile.mkdtemp(prefix="zc-"))
    try:
        _two_instances(tmp_path)
    finally:
        shutil.rmtree(tmp_path, ignore_errors=True)


def _two_instances(tmp_path: Path) -> None:
    one, two = _start(tmp_path / "one", 1), _start(tmp_path / "two", 3)
    try:
        sockets = {p.pid: tmp_path / name / "run" / f"gunicorn-{p.pid}.ctl" for p, name in ((one, "one"), (two, "two"))}
        deadline = time.monotonic() + 120  # a wait for start-up, generous for a busy CI machine
        while not all(s.exists() for s in sockets.values()) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert all(s.is_socket() for s in sockets.values()), sockets
        deadline = time.monotonic() + 30
        counts = {}
        while time.monotonic() < deadline:  # the workers boot in their own time
            counts = {pid: _workers(s) for pid, s in sockets.items()}
            if counts == {one.pid: 1, two.pid: 3}:
                break
            time.sleep(0.5)
        assert counts == {one.pid: 1, two.pid: 3}  # each socket answers for its own instance
    finally:
        for proc in (one, two):
            proc.terminate()
        for proc in (one, two):
            proc.wait(timeout=30)
    assert not any(s.exists() for s in sockets.values())  # removed when the instance stops
