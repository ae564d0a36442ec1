"""The bench's CPU accounting: a process tree's CPU seconds between start and stop."""
from __future__ import annotations

import subprocess
import sys
import time

from bot.bench.run import CpuMeter, markdown, proc_cpu_seconds

BURN = "import time\nt = time.process_time()\nwhile time.process_time() - t < {s}: pass\ntime.sleep(30)\n"


def _burner(seconds: float, *, child: bool = False) -> subprocess.Popen:
    code = BURN.format(s=seconds)
    if child:  # the CPU is spent by a grandchild: counted with its ancestor's tree
        code = f"import subprocess, sys\nsubprocess.run([sys.executable, '-c', {code!r}])\n"
    return subprocess.Popen([sys.executable, "-c", code])


def _wait_for_cpu(pid: int, seconds: float) -> None:
    deadline = time.monotonic() + 30
    while proc_cpu_seconds(pid) < seconds and time.monotonic() < deadline:
        time.sleep(0.1)


def test_cpu_of_a_process_tree_between_start_and_stop():
    idle, busy = _burner(0.0), _burner(0.8, child=True)
    try:
        meter = CpuMeter({"idle": idle.pid, "busy": busy.pid}).start()
        _wait_for_cpu(busy.pid, 0.8)
        spent = meter.stop()
        assert 0.5 <= spent["busy"] <= 2.5
        assert spent["idle"] <= 0.3
        assert "bench client" in spent and spent["bench client"] >= 0
    finally:
        for proc in (idle, busy):
            subprocess.run(["pkill", "-P", str(proc.pid)], check=False)
            proc.kill()
            proc.wait()


def test_the_report_lists_cpu_per_process():
    text = markdown([], {}, {}, {}, {"demo rasa": 12.5, "demo actions": 2.0})
    assert "| demo rasa | 12.5 |" in text and "| demo actions | 2.0 |" in text

