"""`carbon-gate measure` for real: a worker process, real codecarbon measurements, real failures."""

from __future__ import annotations

import http.server
import json
import platform
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner
from process_probe import all_gone

from carbon_gate.cli.flags import EXAMPLE_CONFIG
from carbon_gate.cli.main import cli
from carbon_gate.measure.power_sources import PowerSources
from carbon_gate.measure.worker_process import _worker_environment

BENCH = """
import os, signal, sys, time

def setup(size=2000):
    return list(range(size))

def predict(data):
    return sum(x * x for x in data)

def train_step(data):
    return sum(x * x for x in data) + sum(x * 3 for x in data) + sum(data)

def raises(data):
    raise ValueError("the model is broken")

def hangs(data):
    time.sleep(3600)

def exits(data):
    sys.exit(4)

def hard_exit(data):
    os._exit(9)

def killed(data):
    os.kill(os.getpid(), signal.SIGKILL)

def blows_up(data):
    return bytearray(10**15)

def bad_setup(size=1):
    raise RuntimeError("no weights")

def _record_child():
    import subprocess
    child = subprocess.Popen(["sleep", "300"])
    with open(os.path.join(os.getcwd(), "children.txt"), "a") as f:
        f.write(str(child.pid) + " ")

_SPAWNED = []

def spawns(data):
    if not _SPAWNED:
        _SPAWNED.append(_record_child())
    return sum(data)

def spawns_and_raises(data):
    _record_child()
    raise ValueError("after starting a child")

def spawns_then_hangs(data):
    _record_child()
    time.sleep(3600)

def records_threads(data):
    with open("threads.txt", "w") as f:
        f.write(os.environ["OPENBLAS_NUM_THREADS"] + " " + os.environ["OMP_NUM_THREADS"])
    return sum(data)

def churns_memory(data):
    # Four blocks of 512 KiB, made and freed every call: with glibc's moving thresholds the heap's
    # top is given back to the system at every call, and taken again (page faults).
    import resource
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(20):
        blocks = [bytearray(1 << 19) for _ in range(4)]
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    with open("faults.txt", "a") as f:
        f.write(f"{faults}\\n")
    return len(blocks)

def leaves_a_thread(data):
    import threading
    if not _SPAWNED:
        _SPAWNED.append(threading.Thread(target=time.sleep, args=(3600,)))
        _SPAWNED[0].start()
    return sum(data)

NOT_CALLABLE = 3

_FIRST_CALL = []

def raises_when_measured(data):
    # Warming up takes 0.2 s, codecarbon's probe then over a second: later calls are measured.
    _FIRST_CALL.append(time.monotonic())
    if time.monotonic() - _FIRST_CALL[0] > 0.3:
        raise ValueError("broken while measured")
    return sum(data)
"""

FAST = "warmup: 0.2 s\nduration: 1 s\nrepeats: 2\ntimeout: 60 s\n"


@pytest.fixture
def project(tmp_path: Path) -> Callable[[str], Path]:
    """A toy project of the user's own; returns a writer for its budget file's benchmark section."""
    package = tmp_path / "src" / "toymodel"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "bench.py").write_text(BENCH, encoding="utf-8")

    def write(benchmark: str, fast: bool = True) -> Path:
        """The budget file; `fast` adds short measuring times unless the section sets its own."""
        benchmark = textwrap.dedent(benchmark).strip() + "\n" + (FAST if fast else "")
        path = tmp_path / "carbon-budget.yml"
        path.write_text(
            "grid: {country: FRA}\n"
            "lifecycle: {training_samples: 1M, epochs: 10, search: {trials: 0}, inferences: 1e9}\n"
            "budgets: {lifecycle: 1 t}\n"
            "benchmark:\n" + textwrap.indent(benchmark, "  "),
            encoding="utf-8",
        )
        return path

    return write


def measure(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["measure", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_a_toy_project_is_measured_and_its_results_feed_the_estimate(
    project: Callable[[str], Path],
) -> None:
    project("""
        setup: toymodel.bench:setup
        callable: toymodel.bench:predict
        train_step: toymodel.bench:train_step
        parameters: {size: 3000}
        python_path: [src]
    """)
    code, out, err = measure()
    assert code == 0, err
    assert err.startswith("measuring toymodel.bench:predict (batch 1)")
    doc = json.loads(Path("carbon-gate-results.json").read_text(encoding="utf-8"))
    assert doc["format"] == "carbon-gate/results"
    assert doc["version"] == 1
    assert [len(doc["repeats"][k]) for k in ("inference", "train_step")] == [2, 2]
    per_sample = doc["summary"]["per_sample"]
    assert per_sample["median_j"] > 0
    assert per_sample["ci95_j"][0] <= per_sample["mean_j"] <= per_sample["ci95_j"][1]
    # The train step does about three times the work of predict: k is measured, not the default.
    assert doc["summary"]["overhead_factor"]["median"] > 1.5
    assert doc["environment"]["codecarbon"]
    assert doc["benchmark"]["callable"] == "toymodel.bench:predict"
    # Never "measured" for a component that codecarbon only modelled.
    sources = doc["power_sources"]
    assert doc["energy_kind"] == PowerSources.of(sources).energy_kind  # fmt: skip
    assert sources["ram"]["source"] == "estimated"
    assert ("ESTIMATED" in out) == (doc["energy_kind"] == "estimated")
    assert doc["estimate"]["stages"]["lifecycle"] is not None

    result = CliRunner().invoke(
        cli, ["estimate", "--results", "carbon-gate-results.json", "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
    estimate = json.loads(result.stdout)
    # The whole cost: the mean of the repeats, and k as the mean step over the mean inference.
    assert estimate["assumptions"]["per_inference"]["value"] == pytest.approx(per_sample["mean_j"])
    assert "carbon-gate-results.json" in estimate["assumptions"]["per_inference"]["source"]
    train = doc["summary"]["train_step_per_sample"]["mean_j"]
    assert estimate["assumptions"]["overhead_factor"]["value"] == pytest.approx(
        train / per_sample["mean_j"]
    )


def test_a_shell_command_is_measured_as_a_whole(project: Callable[[str], Path]) -> None:
    project("""
        command: python3 -c "sum(range(1000))"
    """)
    code, out, err = measure("--output", "out/results.json")
    assert code == 0, err
    assert "the energy of the whole machine while it ran" in out
    doc = json.loads(Path("out/results.json").read_text(encoding="utf-8"))
    assert doc["environment"]["tracking_mode"] == "machine"


def test_the_built_in_example_measures(tmp_path: Path) -> None:
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    text = text.replace("duration: 10 s", "duration: 1 s").replace("warmup: 2 s", "warmup: 0.2 s")
    budget = tmp_path / "example.yml"
    budget.write_text(text, encoding="utf-8")
    code, out, err = measure("--config", str(budget))
    assert code in (0, 1), err  # 1: 0.1-second repeats on a busy machine may exceed a budget
    assert "Benchmark — carbon_gate.example.model:predict, batch 32" in out
    assert "overhead factor k" in out


@pytest.mark.parametrize(
    ("callable_", "message", "trace"),
    [
        ("raises", "toymodel.bench:raises raised ValueError: the model is broken",
         'bench.py", line 14, in raises'),
        ("exits", "toymodel.bench:exits called sys.exit(4)", "SystemExit: 4"),
        ("blows_up", "toymodel.bench:blows_up raised MemoryError", "MemoryError"),
        ("hard_exit", "the benchmark process exited with code 9 while warming up", ""),
        ("killed", "was killed by signal 9 (out of memory? check --base-ref holds the model", ""),
        ("missing", "cannot import toymodel.bench:missing: AttributeError", ""),
        ("NOT_CALLABLE", "toymodel.bench:NOT_CALLABLE is not callable (it is int)", ""),
        ("raises_when_measured",
         "while measuring: toymodel.bench:raises_when_measured raised ValueError: broken while "
         "measured",
         "in raises_when_measured"),
    ],
    ids=lambda v: v if isinstance(v, str) and " " not in v else None,
)  # fmt: skip
def test_a_failing_benchmark_is_a_clear_error_with_exit_3(
    project: Callable[[str], Path], callable_: str, message: str, trace: str
) -> None:
    project(f"""
        setup: toymodel.bench:setup
        callable: toymodel.bench:{callable_}
        python_path: [src]
    """)
    code, out, err = measure()
    assert code == 3
    assert message in err
    assert trace in err
    assert "carbon_gate/measure/" not in err  # only the user's frames, none of the worker's
    assert out == ""
    assert not Path("carbon-gate-results.json").exists()


def test_a_hanging_benchmark_is_stopped_at_its_timeout(project: Callable[[str], Path]) -> None:
    project(
        """
        setup: toymodel.bench:setup
        callable: toymodel.bench:hangs
        python_path: [src]
        warmup: 0.1 s
        duration: 0.5 s
        repeats: 2
        timeout: 3 s
    """,
        fast=False,
    )
    code, _, err = measure()
    assert code == 3
    assert "did not finish within 3 s; it was warming up" in err
    # Where the user's code was when time ran out, and nothing of carbon-gate's own.
    assert 'bench.py", line 17 in hangs' in err
    assert "carbon_gate" not in err.split("benchmark.timeout", 1)[1]


def test_a_failing_setup_names_the_setup(project: Callable[[str], Path]) -> None:
    project("""
        setup: toymodel.bench:bad_setup
        callable: toymodel.bench:predict
        python_path: [src]
    """)
    code, _, err = measure()
    assert code == 3
    assert "while running setup: toymodel.bench:bad_setup raised RuntimeError: no weights" in err


def test_a_module_that_does_not_exist(project: Callable[[str], Path]) -> None:
    project("""
        callable: nosuchmodule:predict
    """)
    code, _, err = measure()
    assert code == 3
    assert "cannot import nosuchmodule:predict: ModuleNotFoundError" in err


@pytest.mark.parametrize(
    ("benchmark", "message"),
    [
        (
            "callable: a:b\nduration: 10 s\ntimeout: 5 s",
            "carbon-budget.yml:7:12: benchmark.timeout: the timeout (5 s) leaves no time beyond "
            "warmup + duration (12 s)",
        ),
        (
            "callable: a:b\nduration: 10 min",
            "benchmark.duration: the timeout (300 s) leaves no time beyond warmup + duration",
        ),
        (
            "callable: a:b\nworking_directory: nowhere",
            "carbon-budget.yml:6:22: benchmark.working_directory: ",
        ),
        ("callable: a:b\npython_path: [src, srcx]", "benchmark.python_path[1]: "),
    ],
    ids=["timeout-too-short", "default-timeout-too-short", "no-working-directory", "python-path"],
)
def test_impossible_benchmark_settings_are_usage_errors(
    project: Callable[[str], Path], benchmark: str, message: str
) -> None:
    project(benchmark, fast=False)
    code, _, err = measure()
    assert code == 2
    assert message in err


def test_a_budget_file_without_benchmark(write_budget: Callable[[str], Path]) -> None:
    write_budget("grid: {country: FRA}\n")
    code, _, err = measure()
    assert code == 2
    assert "no `benchmark:` section" in err


@pytest.mark.parametrize("callable_", ["spawns", "spawns_and_raises"])
def test_nothing_the_benchmark_started_outlives_it(
    project: Callable[[str], Path], tmp_path: Path, callable_: str
) -> None:
    project(f"""
        setup: toymodel.bench:setup
        callable: toymodel.bench:{callable_}
        python_path: [src]
    """)
    measure()
    pids = [int(p) for p in (tmp_path / "children.txt").read_text().split()]
    assert pids
    assert all_gone(pids)


# A carbon_gate/ committed in the pull request: were it imported in place of carbon-gate's own, it
# would say so (and could write any result it liked).
HOSTILE = """\
with open({marker!r}, "a") as ran:
    ran.write(__file__ + "\\n")
"""


def test_a_carbon_gate_in_the_checkout_never_runs(tmp_path: Path) -> None:
    """The working directory is the pull request's checkout: a carbon_gate/ there (its
    `__init__.py`, the worker's `__main__.py`) never stands in for the worker or its supervisor,
    and the benchmark is still imported from the checkout."""
    marker = tmp_path / "hostile-ran.txt"
    worker = tmp_path / "carbon_gate" / "measure" / "worker"
    worker.mkdir(parents=True)
    for module in ("__init__.py", "measure/__init__.py", "measure/worker/__init__.py",
                   "measure/worker/__main__.py"):  # fmt: skip
        (tmp_path / "carbon_gate" / module).write_text(HOSTILE.format(marker=str(marker)))
    (tmp_path / "bench.py").write_text("def predict():\n    return sum(range(300))\n")
    (tmp_path / "carbon-budget.yml").write_text(
        "grid: {country: FRA}\nbenchmark:\n  callable: bench:predict\n"
        + textwrap.indent(FAST, "  ")
    )
    code, _, err = measure()
    assert not marker.exists(), marker.read_text()
    assert code == 0, err
    doc = json.loads(Path("carbon-gate-results.json").read_text(encoding="utf-8"))
    assert len(doc["repeats"]["inference"]) == 2
    assert doc["benchmark"]["callable"] == "bench:predict"


def test_a_thread_left_running_does_not_hold_up_the_result(project: Callable[[str], Path]) -> None:
    project(
        """
        setup: toymodel.bench:setup
        callable: toymodel.bench:leaves_a_thread
        python_path: [src]
        warmup: 0.2 s
        duration: 1 s
        repeats: 2
        timeout: 20 s
    """,
        fast=False,
    )
    start = time.monotonic()
    code, _, err = measure()
    assert code == 0, err
    assert time.monotonic() - start < 15


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_stops_the_benchmark_and_its_children(
    project: Callable[[str], Path], tmp_path: Path, stop: signal.Signals
) -> None:
    project(
        """
        setup: toymodel.bench:setup
        callable: toymodel.bench:spawns_then_hangs
        python_path: [src]
        warmup: 0.2 s
        duration: 1 s
        repeats: 2
        timeout: 60 s
    """,
        fast=False,
    )
    # A suite run as a background job ignores SIGINT, and an ignored signal stays ignored in the
    # CLI it starts: start it as a terminal would, with SIGINT at its default.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        cli_process = subprocess.Popen(
            [sys.executable, "-m", "carbon_gate", "measure"], cwd=tmp_path,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
    finally:
        signal.signal(signal.SIGINT, previous)
    with cli_process:
        children = tmp_path / "children.txt"
        deadline = time.monotonic() + 20
        while not children.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        cli_process.send_signal(stop)
        _, err = cli_process.communicate(timeout=30)
    assert cli_process.returncode == 130, err
    pids = [int(p) for p in children.read_text().split()]
    assert pids
    assert all_gone(pids)


def test_zero_energy_is_an_error_not_a_pass() -> None:
    from carbon_gate.errors import MeasurementError
    from carbon_gate.measure.batches import Batch, Batches
    from carbon_gate.measure.measurement import summarize_run
    from carbon_gate.measure.power_sources import PowerSources

    batches = Batches((Batch(calls=10, seconds=1.0, fastest_call_s=0.1, energy_j=0.0),) * 2)
    with pytest.raises(MeasurementError, match=r"reported 0\.0 J for a inference repeat"):
        summarize_run(batches, batch_size=1, power_sources=PowerSources())


def test_check_measures_the_head_when_given_no_results(project: Callable[[str], Path]) -> None:
    project("""
        setup: toymodel.bench:setup
        callable: toymodel.bench:predict
        python_path: [src]
    """)
    result = CliRunner().invoke(cli, ["check", "--comment", "off"])
    assert result.exit_code == 0, result.stderr
    assert "Benchmark — toymodel.bench:predict" in result.stderr
    assert result.stdout.startswith("✅ carbon-gate: within budget")
    assert Path("carbon-gate-results.json").is_file()
    assert Path("carbon-gate-report.md").read_text(encoding="utf-8").startswith("<!-- carbon-gate")


def test_threads_fixes_the_numerical_libraries_thread_count(
    project: Callable[[str], Path], tmp_path: Path
) -> None:
    project("""
        setup: toymodel.bench:setup
        callable: toymodel.bench:records_threads
        python_path: [src]
        threads: 1
    """)
    code, _, err = measure()
    assert code == 0, err
    assert (tmp_path / "threads.txt").read_text() == "1 1"
    recorded = json.loads(Path("carbon-gate-results.json").read_text(encoding="utf-8"))
    assert recorded["benchmark"]["threads"] == 1


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc only")
def test_every_worker_allocates_alike(project: Callable[[str], Path], tmp_path: Path) -> None:
    """glibc's malloc thresholds are fixed in the worker: a model that makes and frees large
    blocks every call does not fault its pages in again at every call, in any worker."""
    project("""
        setup: toymodel.bench:setup
        callable: toymodel.bench:churns_memory
        python_path: [src]
    """)
    code, _, err = measure()
    assert code == 0, err
    faults = [int(line) for line in (tmp_path / "faults.txt").read_text().split()]
    assert len(faults) > 10
    # The first calls fault the heap in, later ones find it there (a few faults of codecarbon's
    # own now and then). With glibc's moving thresholds: about 4000 faults every call.
    later = faults[len(faults) // 2 :]
    assert sum(later) / len(later) < 100


def test_a_users_own_malloc_settings_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=0")
    env = _worker_environment()
    assert "MALLOC_TRIM_THRESHOLD_" not in env
    assert env["GLIBC_TUNABLES"] == "glibc.malloc.trim_threshold=0"
    assert env["MALLOC_MMAP_THRESHOLD_"] == str(32 << 20)  # the other threshold is still fixed
    monkeypatch.delenv("GLIBC_TUNABLES")
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "65536")
    monkeypatch.setenv("MALLOC_ARENA_MAX", "2")  # common in containers: no threshold of its own
    env = _worker_environment()
    assert env["MALLOC_MMAP_THRESHOLD_"] == "65536"
    assert env["MALLOC_TRIM_THRESHOLD_"] == str(1 << 30)


def test_the_benchmark_gets_no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """The benchmark may be a fork's code: the gate's GITHUB_TOKEN must not reach it."""
    monkeypatch.setenv("GITHUB_TOKEN", "bot-token")
    monkeypatch.setenv("CODECARBON_LOG_LEVEL", "debug")
    env = _worker_environment(threads=1)
    assert "GITHUB_TOKEN" not in env
    assert "CODECARBON_LOG_LEVEL" not in env
    assert env["OMP_NUM_THREADS"] == "1"


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Records every request: codecarbon's HTTP and API outputs would send emissions here."""

    seen: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.seen.append(self.path)
        self.send_response(201)
        self.end_headers()

    do_GET = do_PUT = do_POST

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_a_codecarbon_config_file_changes_nothing(
    project: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A `.codecarbon.config` (a pull request may add one) in the working directory or the home
    folder neither changes how codecarbon measures nor makes it send or write anything."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    settings = {
        tmp_path: f"emissions_endpoint = {url}/emissions\napi_call_interval = 1\n"
        "tracking_mode = machine\nforce_cpu_power = 1000\nforce_ram_power = 1000\n",
        tmp_path / "home": f"output_methods = csv,api\napi_endpoint = {url}\napi_key = k\n"
        f"output_dir = {tmp_path}\nsave_to_file = true\nforce_mode_cpu_load = true\n"
        "rapl_include_dram = true\nrapl_prefer_psys = true\nmeasure_power_secs = 0.1\npue = 3\n",
    }
    for folder, text in settings.items():
        folder.mkdir(exist_ok=True)
        (folder / ".codecarbon.config").write_text("[codecarbon]\n" + text, encoding="utf-8")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    project("""
        setup: toymodel.bench:setup
        callable: toymodel.bench:predict
        python_path: [src]
        warmup: 0.2 s
        duration: 2.5 s
        repeats: 2
        timeout: 60 s
    """, fast=False)  # fmt: skip
    try:
        code, _, err = measure()
    finally:
        server.shutdown()
        server.server_close()
    assert code == 0, err
    assert _Recorder.seen == []
    assert not list(tmp_path.rglob("emissions*.csv"))
    doc = json.loads(Path("carbon-gate-results.json").read_text(encoding="utf-8"))
    assert doc["environment"]["tracking_mode"] == "process"
    assert "1000" not in json.dumps(doc["power_sources"])
