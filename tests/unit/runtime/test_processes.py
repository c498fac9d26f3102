"""Workers end with the process that made them, even when it is killed outright."""

import os
import signal
import subprocess
import sys
import time

import pytest

PARENT = """
import sys, time
from redoxscreen.runtime.processes import spawn_pool
pool = spawn_pool(2)
futures = [pool.submit(time.sleep, 120) for _ in range(2)]
while len(pool._processes) < 2 or not all(p.pid for p in pool._processes.values()):
    time.sleep(0.05)
time.sleep(1.0)  # the workers have run their initializer
print(" ".join(str(p) for p in pool._processes), flush=True)
time.sleep(120)
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (not yet reaped by init) has ended too
    with open(f"/proc/{pid}/stat") as fh:
        return fh.read().split(")")[-1].split()[0] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_of_a_killed_parent_exit():
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    pids: list[int] = []
    try:
        pids = [int(p) for p in parent.stdout.readline().split()]
        assert len(pids) == 2 and all(alive(p) for p in pids)
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        deadline = time.time() + 10
        while any(alive(p) for p in pids) and time.time() < deadline:
            time.sleep(0.1)
        assert not any(alive(p) for p in pids)
    finally:
        parent.kill()
        for p in pids:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass


def test_a_worker_whose_parent_is_already_gone_ends_itself(monkeypatch):
    from redoxscreen.runtime import processes

    ended, asked = [], []

    class Libc:  # not the real prctl: this test process must not take a death signal
        def prctl(self, option, sig):
            asked.append((option, sig))

    monkeypatch.setattr(processes.ctypes, "CDLL", lambda *a, **k: Libc())
    monkeypatch.setattr(processes.os, "_exit", ended.append)
    processes.die_with_parent(os.getppid())  # our own parent: still here
    assert ended == []
    processes.die_with_parent(-1)  # a parent that is not ours any more
    linux = sys.platform.startswith("linux")
    assert ended == ([1] if linux else [])
    assert asked == ([(1, int(signal.SIGTERM))] * 2 if linux else [])
