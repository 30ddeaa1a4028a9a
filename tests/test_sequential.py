"""The stopping rule of the comparison with the base, checked by simulation.

Head and base are drawn pair by pair as `check --base-ref` measures them: a drift both sides of a
pair share (the machine's busy moments), each batch's own noise, rare stalls that only the whole
cost sees, and a constant offset of each worker process (three per side, taking the pairs in
turn, each offset as large as `paired.PROCESS_SPREAD` says). The pairs go through the
gate's own statistics (`paired.changes` at the gate's levels, `paired.decisive`, the early looks
from `EARLY_PAIRS` on); only the drawing is the test's. Every figure below is a rate over many
simulated runs, so each assertion is about the rule, not about luck: the seeds are fixed.
"""

from __future__ import annotations

import math
import random
from typing import NamedTuple

from carbon_gate.gate import paired
from carbon_gate.measure.batches import in_turn
from carbon_gate.measure.interleave import EARLY_PAIRS

KEY = "lifecycle"
MAX_PAIRS = 113  # 60 s of measuring in pairs of two 0.25 s batches, as by default
WORKERS = 3  # per side, as benchmark.compare_workers by default
PROCESS = paired.PROCESS_SPREAD["train_step"]  # sd (log) of the difference between two processes
FLOORS = {KEY: PROCESS}  # what `paired.spread` allows for, per pair of processes


def offsets(rng: random.Random) -> list[list[float]]:
    """Each side's workers' offsets (log): two processes differ by PROCESS (sd)."""
    return [[rng.gauss(0, PROCESS / math.sqrt(2)) for _ in range(WORKERS)] for _ in range(2)]


class Noise(NamedTuple):
    """How a batch's figures scatter (log): the shared drift, each batch's own noise of the
    typical call and of the whole cost, and how often and how badly a batch stalls."""

    drift: float = 0.03
    typical: float = 0.01
    whole: float = 0.025
    stall_chance: float = 0.1
    stall: float = 0.05


class Run(NamedTuple):
    pairs: int
    early: bool  # stopped before the time budget
    fails: bool  # the verdict: some interval wholly above the allowed increase


def side(change: float, process: float, drift: float, noise: Noise, rng: random.Random) -> dict:
    """One batch of one side: its typical call's and its whole cost's figure."""
    typical = math.exp(math.log1p(change) + process + drift + rng.gauss(0, noise.typical))
    stalled = noise.stall * rng.expovariate(1.0) if rng.random() < noise.stall_chance else 0.0
    whole = typical * math.exp(rng.gauss(0, noise.whole) + stalled)
    return {"typical": {KEY: typical}, "whole": {KEY: whole}}


def priced(head: list[dict], base: list[dict]) -> paired.Priced:
    """The drawn pairs as `paired.priced` gives them to the gate's judging."""

    def column(name: str) -> tuple[list[dict[str, float]], list[dict[str, float]]]:
        return [row[name] for row in head], [row[name] for row in base]

    return paired.Priced(column("typical"), column("whole"), FLOORS, in_turn(len(head), WORKERS))


NOISE = Noise()


def run(change: float, allowed: float, rng: random.Random, noise: Noise = NOISE) -> Run:
    """One comparison: pairs until the rule says the change is clear or the time is up."""
    processes = offsets(rng)
    head: list[dict] = []
    base: list[dict] = []
    while len(head) < MAX_PAIRS:
        drift = rng.gauss(0, noise.drift)
        worker = len(head) % WORKERS
        head.append(side(change, processes[0][worker], drift, noise, rng))
        base.append(side(0.0, processes[1][worker], drift, noise, rng))
        found = priced(head, base)
        if len(head) >= EARLY_PAIRS and paired.decisive(
            found.judged(interim=True), found.judged(), allowed * 100
        ):
            break
    verdict = priced(head, base).judged()
    stages = [*verdict.typical.values(), *verdict.whole.values()]
    return Run(len(head), len(head) < MAX_PAIRS, any(c.low > allowed for c in stages))


def runs(change: float, allowed: float, count: int, seed: int) -> list[Run]:
    rng = random.Random(seed)
    return [run(change, allowed, rng) for _ in range(count)]


def test_the_intervals_cover_the_true_change_as_often_as_they_say() -> None:
    """At a fixed number of pairs, the typical call's 95 % and the whole cost's 99 % intervals
    hold the true change (+3 %) at least about that often, process difference included. The
    whole cost's true change is its mean's: the stalls are the same on both sides."""
    rng = random.Random(1)
    covered = {"typical": 0, "whole": 0}
    trials = 400
    for _ in range(trials):
        processes = offsets(rng)
        head, base = [], []
        for pair in range(12):
            drift = rng.gauss(0, NOISE.drift)
            head.append(side(0.03, processes[0][pair % WORKERS], drift, NOISE, rng))
            base.append(side(0.0, processes[1][pair % WORKERS], drift, NOISE, rng))
        found = priced(head, base).judged()
        covered["typical"] += found.typical[KEY].low <= 0.03 <= found.typical[KEY].high
        covered["whole"] += found.whole[KEY].low <= 0.03 <= found.whole[KEY].high
    assert covered["typical"] / trials >= 0.93
    assert covered["whole"] / trials >= 0.97


def test_an_unchanged_model_is_decided_early_as_clearly_within() -> None:
    done = runs(0.0, allowed=0.05, count=200, seed=2)
    assert sum(r.early for r in done) / len(done) >= 0.9
    assert not any(r.fails for r in done)
    assert sorted(r.pairs for r in done)[len(done) // 2] <= 12


def test_looking_after_every_pair_does_not_turn_noise_into_failures() -> None:
    """A/A with no increase allowed: failures, at an early look or at the end, stay rare."""
    done = runs(0.0, allowed=0.0, count=300, seed=3)
    assert sum(r.fails for r in done) / len(done) <= 0.05


def test_a_regression_beyond_the_allowance_is_found_and_not_passed_early() -> None:
    done = runs(0.10, allowed=0.05, count=200, seed=4)
    assert sum(r.fails for r in done) / len(done) >= 0.9
    passed_early = [r for r in done if r.early and not r.fails]
    assert len(passed_early) / len(done) <= 0.02


def test_a_change_at_the_allowance_is_rarely_called_within() -> None:
    """+5 % with 5 % allowed: neither clearly within nor clearly beyond. Stopping early as
    "within" is the only way the early stop could cost sensitivity: it stays rare."""
    done = runs(0.05, allowed=0.05, count=200, seed=5)
    passed_early = [r for r in done if r.early and not r.fails]
    assert len(passed_early) / len(done) <= 0.05
    assert sum(r.fails for r in done) / len(done) <= 0.05
