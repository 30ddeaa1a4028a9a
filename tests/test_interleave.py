"""Head and base measured in alternation by two real worker processes, each with codecarbon."""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from process_probe import alive

from carbon_gate.budget.settings import Benchmark
from carbon_gate.errors import MeasurementError
from carbon_gate.measure import measurement
from carbon_gate.measure.interleave import EARLY_PAIRS, Plan, interleave

BENCH = """\
import os
import time
FIRST_CALL = []


def predict():
    FIRST_CALL or FIRST_CALL.append(time.monotonic())
    if {fail_after_s} and time.monotonic() - FIRST_CALL[0] > {fail_after_s}:
        {failure}
    return sum(i * i for i in range(2000))
"""
RAISES = 'raise RuntimeError("gave up midway")'
VANISHES = "os._exit(9)  # no answer, no result: the pipe just closes"


def spec(folder: Path, fail_after_s: float = 0, failure: str = RAISES) -> dict[str, Any]:
    """The toy benchmark; with `fail_after_s`, its calls fail once that long after the first."""
    folder.mkdir(parents=True, exist_ok=True)
    text = BENCH.format(fail_after_s=fail_after_s, failure=failure)
    (folder / "toybench.py").write_text(text)
    bench = Benchmark(
        callable="toybench:predict",
        warmup_s=0.1,
        duration_s=1.0,
        repeats=5,
        working_directory=folder,
    )
    return measurement.worker_spec(bench, "FRA")


def never(head: list[Any], base: list[Any], processes: list[int]) -> bool:
    return False


def measure_in_pairs(tmp_path: Path, base: dict[str, Any] | None = None, **options: Any) -> Any:
    """Head and base (the same toy benchmark unless told) in pairs, until the time is up."""
    plan = options.pop("plan", Plan(min_pairs=6, repeats=5, max_seconds=600, timeout_s=60))
    return interleave(
        options.pop("head", None) or spec(tmp_path / "head"),
        base or spec(tmp_path / "base"),
        plan,
        options.pop("decisive", never),
        rng=random.Random(2),
        **options,
    )


def test_no_pair_starts_that_would_end_past_the_time_budget(tmp_path: Path) -> None:
    ticks = iter(range(1000))  # every reading of the clock is a second later
    outcome = measure_in_pairs(
        tmp_path,
        plan=Plan(min_pairs=6, repeats=5, max_seconds=9.5, timeout_s=60),
        clock=lambda: float(next(ticks)),
    )
    # A pair starts at 1, 3, 5, 7 and ends a second later; at 9 the next would end past 9.5 s,
    # even though fewer than min_pairs were measured: the budget is never exceeded.
    assert outcome.pairs == 4
    assert outcome.stopped == "time"
    assert outcome.base is not None
    assert len(outcome.head.batches.inference) == len(outcome.base.batches.inference)
    assert outcome.head.environment.cpu_count >= 1


def test_it_stops_once_the_verdict_is_clear_but_not_before_the_early_pairs(tmp_path: Path) -> None:
    looked_at = []

    def decisive(head: list[Any], base: list[Any], processes: list[int]) -> bool:
        looked_at.append(len(head))
        return True

    outcome = measure_in_pairs(tmp_path, decisive=decisive)
    assert looked_at == [EARLY_PAIRS]
    assert outcome.pairs == EARLY_PAIRS
    assert outcome.stopped == "clear"


@pytest.mark.parametrize(
    ("failure", "message"),
    [(RAISES, "gave up midway"), (VANISHES, "exited with code 9")],
    ids=["raises", "vanishes"],
)
def test_a_base_that_fails_midway_ends_the_pairs_and_the_head_goes_on(
    tmp_path: Path, failure: str, message: str
) -> None:
    # The warm-up takes 0.1 s and a batch 0.2 s: the base fails in its first or second batch
    # however fast this machine calls, and the head needs batches of its own to reach 5. (A
    # count of calls made this depend on the machine's speed: a slow one had 6 pairs by then.)
    base = spec(tmp_path / "base", fail_after_s=0.35, failure=failure)
    outcome = measure_in_pairs(tmp_path, base)
    assert outcome.base is None
    assert outcome.base_failure is not None
    assert message in str(outcome.base_failure)
    assert outcome.stopped == "alone"
    assert len(outcome.head.batches.inference) == 5


def test_a_base_vetted_out_leaves_the_head_alone(tmp_path: Path) -> None:
    outcome = measure_in_pairs(tmp_path, vet=lambda head, base: "it is the head in disguise")
    assert outcome.base is None
    assert str(outcome.base_failure) == "it is the head in disguise"
    assert outcome.pairs == 0


def test_a_failing_head_is_the_gates_error(tmp_path: Path) -> None:
    head = spec(tmp_path / "head")
    (tmp_path / "head" / "toybench.py").write_text("raise ImportError('broken head')\n")
    with pytest.raises(MeasurementError, match="broken head"):
        measure_in_pairs(tmp_path, head=head)


PIDS = """\
import os
CALLS = [0]


def predict():
    CALLS[0] += 1
    with open(f"calls-{os.getpid()}.txt", "w") as f:
        f.write(str(CALLS[0]))
    return sum(i * i for i in range(2000))
"""


def test_each_side_has_its_workers_and_the_pairs_take_each_in_turn(tmp_path: Path) -> None:
    specs = {side: spec(tmp_path / side) for side in ("head", "base")}
    for side in specs:
        (tmp_path / side / "toybench.py").write_text(PIDS)
    outcome = interleave(
        specs["head"],
        specs["base"],
        Plan(min_pairs=6, repeats=5, max_seconds=600, timeout_s=60, workers=3),
        lambda head, base, processes: len(head) >= 9,
        rng=random.Random(1),
    )
    assert outcome.pairs == 9
    warm_up = outcome.head.warmup[0].calls
    for side in ("head", "base"):
        calls = [int(p.read_text()) for p in (tmp_path / side).glob("calls-*.txt")]
        assert len(calls) == 3  # three processes, and each measured its three batches of 0.2 s
        assert min(calls) > warm_up * 2  # (its warm-up alone is 0.1 s, shared with five others)


SECOND_START_FAILS = """\
import itertools
import os

for n in itertools.count():  # which start of this benchmark this is, claimed atomically
    try:
        os.close(os.open(f"start-{n}", os.O_CREAT | os.O_EXCL))
        break
    except FileExistsError:
        continue
with open(f"pid-{n}", "w") as f:
    f.write(str(os.getpid()))
if n == 1:
    raise ImportError("the second start fails")


def predict():
    return sum(i * i for i in range(2000))
"""


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_a_base_worker_that_fails_to_start_stops_the_others_before_the_head_goes_on(
    tmp_path: Path,
) -> None:
    base = spec(tmp_path / "base")
    (tmp_path / "base" / "toybench.py").write_text(SECOND_START_FAILS)
    running: list[list[int]] = []

    def clock() -> float:  # read before every batch of the head's
        pids = [int(p.read_text()) for p in (tmp_path / "base").glob("pid-*")]
        running.append([pid for pid in pids if alive(pid)])
        return time.monotonic()

    outcome = measure_in_pairs(
        tmp_path,
        base,
        plan=Plan(min_pairs=6, repeats=5, max_seconds=600, timeout_s=60, workers=3),
        clock=clock,
    )
    assert outcome.base is None
    assert "the second start fails" in str(outcome.base_failure)
    assert outcome.stopped == "alone"
    assert len(running) > 5
    assert not any(running), running  # no base worker ran beside the head's batches
