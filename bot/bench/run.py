"""Drive N scripted borrowers at several concurrency levels, against the prod cluster and a bare
Rasa baseline; report turns/s, latency percentiles, errors and peak RSS per process."""
from __future__ import annotations

import datetime as dt
import json
import os
import platform
import secrets
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import requests

from bot.bench.client import WebChat, scripted_conversation
from bot.bench.portfolio import GeneratedBorrower, generate, seed_generated
from bot.config import PROJECT_ROOT


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _process_tree(pid: int) -> list[int]:
    """A process and its descendants (psutil is not installed in this venv: /proc is read)."""
    pids = [pid]
    try:
        children = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
                    children.setdefault(ppid, []).append(int(entry))
                except (OSError, IndexError, ValueError):
                    pass
        stack = [pid]
        while stack:
            for c in children.get(stack.pop(), []):
                pids.append(c)
                stack.append(c)
    except OSError:
        pass
    return pids


def _cpu_of(pid: int | str) -> float:
    """User + system CPU seconds of one process so far; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def proc_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by a process and its descendants."""
    return sum(_cpu_of(p) for p in _process_tree(pid))


def named_cpu_seconds(prefix: str) -> float:
    """CPU seconds of every live process whose command line starts with ``prefix`` (e.g. the
    PostgreSQL backends, "postgres"), whoever started them."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
        except OSError:
            continue
        if os.path.basename(cmdline).startswith(prefix) or cmdline.startswith(prefix):
            total += _cpu_of(entry)
    return total


class CpuMeter:
    """CPU seconds each process (tree) spends between ``start()`` and ``stop()``; the bench's own
    client threads and the machine's PostgreSQL and Redis servers are counted too."""

    SERVICES = {"postgresql": "postgres", "redis": "redis-server"}

    def __init__(self, pids: dict[str, int], services: bool = False) -> None:
        self.pids, self.services = pids, services
        self.before: dict[str, float] = {}

    def _now(self) -> dict[str, float]:
        now = {name: proc_cpu_seconds(pid) for name, pid in self.pids.items()}
        times = os.times()
        now["bench client"] = times.user + times.system
        if self.services:
            now.update({name: named_cpu_seconds(prefix) for name, prefix in self.SERVICES.items()})
        return now

    def start(self) -> "CpuMeter":
        self.before = self._now()
        return self

    def stop(self) -> dict[str, float]:
        after = self._now()
        return {name: round(after[name] - self.before.get(name, 0.0), 1) for name in after}


def proc_memory(pid: int) -> dict[str, float]:
    """Peak (VmHWM) and current (VmRSS) resident size in MiB of a process and its descendants."""
    pids = _process_tree(pid)
    peak = rss = 0.0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak += int(line.split()[1]) / 1024
                elif line.startswith("VmRSS:"):
                    rss += int(line.split()[1]) / 1024
        except OSError:
            pass
    return {"peak_rss_mib": round(peak, 1), "rss_mib": round(rss, 1), "processes": len(pids)}


@dataclass
class LevelResult:
    target: str
    concurrency: int
    conversations: int = 0
    completed: int = 0
    errors: int = 0
    turns: int = 0
    wall_s: float = 0.0
    latencies: list[float] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        ms = lambda v: None if v is None else round(v * 1000, 1)  # noqa: E731
        return {"target": self.target, "concurrency": self.concurrency, "conversations": self.conversations,
                "completed": self.completed, "errors": self.errors, "turns": self.turns,
                "wall_s": round(self.wall_s, 2), "turns_per_s": round(self.turns / self.wall_s, 2) if self.wall_s else 0,
                "p50_ms": ms(percentile(self.latencies, .5)), "p95_ms": ms(percentile(self.latencies, .95)),
                "p99_ms": ms(percentile(self.latencies, .99)), "error_samples": self.error_samples[:5]}


def run_level(target: str, concurrency: int, jobs: list[Callable[[], list[float]]], time_limit: float) -> LevelResult:
    """Run the conversation jobs with ``concurrency`` workers; no new one starts after ``time_limit``."""
    result = LevelResult(target, concurrency)
    lock = threading.Lock()
    deadline = time.monotonic() + time_limit
    queue = list(jobs)

    def worker() -> None:
        while True:
            with lock:
                if not queue or time.monotonic() > deadline:
                    return
                job = queue.pop(0)
                result.conversations += 1
            try:
                latencies, error = job()
            except Exception as exc:  # noqa: BLE001
                latencies, error = [], f"{type(exc).__name__}: {exc}"
            with lock:
                result.latencies.extend(latencies)
                result.turns += len(latencies)
                if error:
                    result.errors += 1
                    result.error_samples.append(error[:300])
                else:
                    result.completed += 1

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.wall_s = time.monotonic() - t0
    return result


def prod_job(base_url: str, borrower: GeneratedBorrower) -> Callable[[], tuple[list[float], str | None]]:
    def job():
        chat = WebChat(base_url, timeout=120)
        try:
            chat.start()
            scripted_conversation(chat, borrower.factors)
            return chat.latencies, None
        except Exception as exc:  # noqa: BLE001
            return chat.latencies, f"{borrower.id}: {type(exc).__name__}: {exc}"
    return job


def baseline_job(base_url: str, script: list[str]) -> Callable[[], tuple[list[float], str | None]]:
    def job():
        http, sender, latencies = requests.Session(), f"bench-{uuid.uuid4().hex[:12]}", []
        for text in script:
            t0 = time.perf_counter()
            r = http.post(f"{base_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=120)
            latencies.append(time.perf_counter() - t0)
            if r.status_code != 200 or not r.json():
                return latencies, f"{text!r}: HTTP {r.status_code} {r.text[:100]}"
        return latencies, None
    return job


def machine_state() -> dict:
    load = os.getloadavg()
    mem = {}
    for line in Path("/proc/meminfo").read_text().splitlines():
        k, v = line.split(":", 1)
        if k in {"MemTotal", "MemAvailable"}:
            mem[k] = round(int(v.split()[0]) / 1024 / 1024, 1)
    return {"cpus": os.cpu_count(), "loadavg_1_5_15": [round(x, 2) for x in load], "mem_gib": mem,
            "python": platform.python_version(), "at": dt.datetime.now().isoformat(timespec="seconds")}


def markdown(results: list[dict], memory: dict[str, dict], state_before: dict, state_after: dict,
             cpu: dict[str, float] | None = None) -> str:
    lines = ["| target | conc. | convs (ok/err) | turns | turns/s | p50 ms | p95 ms | p99 ms |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['target']} | {r['concurrency']} | {r['conversations']} ({r['completed']}/{r['errors']}) | "
                     f"{r['turns']} | {r['turns_per_s']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} |")
    lines += ["", "| process | peak RSS MiB | RSS MiB at end |", "|---|---:|---:|"]
    for name, m in memory.items():
        lines.append(f"| {name} | {m['peak_rss_mib']} | {m['rss_mib']} |")
    if cpu:
        lines += ["", "| CPU seconds during a target's levels | s |", "|---|---:|"]
        lines += [f"| {name} | {seconds} |" for name, seconds in cpu.items()]
    lines += ["", f"machine before: {json.dumps(state_before, ensure_ascii=False)}",
              f"machine after:  {json.dumps(state_after, ensure_ascii=False)}"]
    for r in results:
        for e in r["error_samples"]:
            lines.append(f"- error ({r['target']} c={r['concurrency']}): {e}")
    return "\n".join(lines)


def _drop_databases(names: list[str]) -> None:
    import psycopg2
    from psycopg2 import sql

    conn = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        for db in names:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db)))
    conn.close()


def widget_levels(target: str, base_url: str, people: list[GeneratedBorrower], conversations: int,
                  levels: tuple[int, ...], time_limit: float, echo: Callable[[str], None]) -> list[dict]:
    """Each level on its own ``conversations`` borrowers (a plan is accepted once per borrower)."""
    results = []
    for n, level in enumerate(levels):
        jobs = [prod_job(base_url, b) for b in people[n * conversations:(n + 1) * conversations]]
        r = run_level(target, level, jobs, time_limit).summary()
        results.append(r)
        echo(f"{target} c={level}: {r['turns_per_s']} turns/s p50 {r['p50_ms']} ms p95 {r['p95_ms']} ms errors {r['errors']}")
    return results


def _demo_levels(people: list[GeneratedBorrower], conversations: int, levels: tuple[int, ...], time_limit: float,
                 seed: int, count: int, port: int, run_dir: Path, memory: dict[str, dict],
                 cpu: dict[str, float], echo: Callable[[str], None]) -> list[dict]:
    """The demo profile as ``make run`` starts it (SQLite ledger and tracker store), same borrowers."""
    from bot.db.migrate import upgrade
    from bot.serve import Servers
    from bot.training import ensure_model

    work = run_dir / "demo"
    work.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{work / 'bot.db'}"
    upgrade(url)
    seed_generated(url, count, seed)
    servers = Servers(model=ensure_model(), rasa_port=port, action_port=port + 50, log_dir=work / "log",
                      env={"BOT_DATABASE_URL": url, "BOT_TRACKER_DB": str(work / "tracker.db"), "BOT_TODAY": "2026-12-01",
                           "BOT_WEB_SESSIONS_PER_HOUR": "100000", "BOT_WEB_SECRET": secrets.token_urlsafe(40)})
    echo("starting the demo profile (1 Rasa + 1 action server, SQLite) …")
    servers.start()
    try:
        meter = CpuMeter({name: p.pid for name, p in zip(("actions", "rasa"), servers.procs)}).start()
        results = widget_levels("demo", servers.rasa_url, people, conversations, levels, time_limit, echo)
        cpu.update({f"demo {name}": v for name, v in meter.stop().items()})
        memory.update({f"demo {name}": proc_memory(p.pid) for name, p in zip(("actions", "rasa"), servers.procs)})
    finally:
        servers.stop()
    return results


def bench(*, conversations: int = 20, levels: tuple[int, ...] = (1, 10, 50), replicas: int = 2,
          borrowers: int = 0, seed: int = 20261201, time_limit: float = 120, baseline: bool = True,
          out: Path = PROJECT_ROOT / "reports" / "bench.json", rasa_port: int = 5505, action_port: int = 5555,
          lb_port: int = 5590, baseline_port: int = 5599, keep_databases: bool = False, demo: bool = True,
          demo_port: int = 5580, echo: Callable[[str], None] = print) -> dict:
    """The whole run: fresh PostgreSQL databases, the prod cluster, every level; then the demo
    profile (one Rasa + one action server, SQLite) on the same borrowers; then the baseline."""
    from bot.prod.profile import ProdCluster, ProdSettings
    from bot.training import ensure_model

    needed = conversations * len(levels)
    count = max(borrowers, needed)
    people = [b for b, _ in generate(count, seed)]
    tag = uuid.uuid4().hex[:8]
    ledger, tracker = f"bot_bench_ledger_{tag}", f"bot_bench_tracker_{tag}"
    cfg = ProdSettings(database_url=f"postgresql+psycopg2://postgres@127.0.0.1:5432/{ledger}",
                       tracker_url=f"postgresql://postgres@127.0.0.1:5432/{tracker}",
                       redis_url="redis://127.0.0.1:6379/0", rasa_token=secrets.token_urlsafe(24),
                       web_secret=secrets.token_urlsafe(40), replicas=replicas, rasa_port=rasa_port,
                       action_port=action_port, lb_port=lb_port)
    run_dir = PROJECT_ROOT / "var" / "bench" / f"run-{tag}"
    cluster = ProdCluster(model=ensure_model(), cfg=cfg, run_dir=run_dir,
                          env={"BOT_TODAY": "2026-12-01", "BOT_WEB_SESSIONS_PER_HOUR": "100000"},
                          seeder=lambda url: seed_generated(url, count, seed))
    state_before = machine_state()
    results: list[dict] = []
    memory: dict[str, dict] = {}
    cpu: dict[str, float] = {}
    echo(f"seeding {count} generated borrowers and starting {replicas} replica(s) + nginx …")
    t0 = time.monotonic()
    try:
        cluster.start()
        echo(f"cluster up in {time.monotonic() - t0:.0f} s")
        meter = CpuMeter(cluster.pids(), services=True).start()
        results += widget_levels("prod", cluster.lb_url, people, conversations, levels, time_limit, echo)
        cpu.update({f"prod {name}": v for name, v in meter.stop().items()})
        memory.update({f"prod {name}": proc_memory(pid) for name, pid in cluster.pids().items()})
    finally:
        cluster.stop()
        if not keep_databases:
            _drop_databases([ledger, tracker])
    if demo:
        results += _demo_levels(people, conversations, levels, time_limit, seed, count, demo_port, run_dir, memory,
                                cpu, echo)
    if baseline:
        from bot.bench.baseline import SCRIPT, ensure_baseline_model

        root, model = ensure_baseline_model()
        log = open(run_dir / "log" / "baseline.log", "ab")
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONWARNINGS="ignore")
        proc = subprocess.Popen([sys.executable, "-m", "rasa", "run", "--interface", "127.0.0.1", "--port",
                                 str(baseline_port), "--model", str(model), "--credentials", "credentials.yml"],
                                cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            url = f"http://127.0.0.1:{baseline_port}"
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                if proc.poll() is not None:
                    raise RuntimeError(f"baseline rasa exited ({proc.returncode}); see {run_dir / 'log'}")
                try:
                    if requests.post(f"{url}/webhooks/rest/webhook", json={"sender": "warmup", "message": "hello"},
                                     timeout=5).ok:
                        break
                except requests.RequestException:
                    pass
                time.sleep(1)
            meter = CpuMeter({"rasa": proc.pid}).start()
            for level in levels:
                jobs = [baseline_job(url, SCRIPT) for _ in range(conversations)]
                r = run_level("bare rasa", level, jobs, time_limit).summary()
                results.append(r)
                echo(f"baseline c={level}: {r['turns_per_s']} turns/s p50 {r['p50_ms']} ms errors {r['errors']}")
            cpu.update({f"bare {name}": v for name, v in meter.stop().items()})
            memory["bare rasa"] = proc_memory(proc.pid)
        finally:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    state_after = machine_state()
    report = {"settings": {"conversations_per_level": conversations, "levels": list(levels), "replicas": replicas,
                           "generated_borrowers": count, "seed": seed, "time_limit_s": time_limit,
                           "turns_per_conversation": 8},
              "machine_before": state_before, "machine_after": state_after, "results": results, "memory": memory,
              "cpu_seconds_during_levels": cpu, "markdown": ""}
    report["markdown"] = markdown(results, memory, state_before, state_after, cpu)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return report
