"""Measuring the head and the base in alternation: serving workers, one batch of each side per pair.

Each side has `Plan.workers` worker processes; all of them import, set up and warm up at once
(which of each pair of processes starts first drawn at random). Then every pair measures one
batch of each side, pair k by the head's and the base's worker k mod workers, in an order drawn at
random, so that neither side always runs first (after the other's caches, or at the machine's
busier moments). Two processes of the same code can differ a little for good (where their arrays
land in memory): several per side average that out, and the judging measures how much
(`gate.paired.between`). It stops once the change is decisive, when the time budget would be
exceeded by another pair, or when the base fails (then the head goes on alone, to its repeats).
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from carbon_gate.errors import MeasurementError
from carbon_gate.measure.batches import Repeat, in_turn
from carbon_gate.measure.measurement import MAX_PAIRS
from carbon_gate.measure.run import Ready, Run
from carbon_gate.measure.session import Session, serving
from carbon_gate.measure.worker_process import terminate_as_interrupt

# Early stops look at stricter intervals than the verdict's (paired.INTERIM_*), and only from 8
# pairs on, so that looking after every pair does not turn noise into a verdict.
EARLY_PAIRS = 8


class Plan(NamedTuple):
    """How long to go on: at least `min_pairs` (time allowing), at most `max_seconds` measuring;
    `repeats` batches of the head when it goes on alone."""

    min_pairs: int
    repeats: int
    max_seconds: float
    timeout_s: float  # for each answer of a worker: ready, or one batch
    workers: int = 1  # worker processes per side


class Outcome(NamedTuple):
    """Both sides' runs (as `run_worker` returns one); the base's is None when it failed."""

    head: Run
    base: Run | None
    base_failure: MeasurementError | None
    pairs: int
    stopped: str  # why it stopped: "clear", "time" or "alone" (see paired.describe_stop)
    processes: tuple[int, ...] = ()  # which pair of processes measured each pair


def interleave(
    head_spec: dict[str, Any],
    base_spec: dict[str, Any],
    plan: Plan,
    decisive: Callable[[list[Repeat], list[Repeat], list[int]], bool],
    *,
    rng: random.Random,
    vet: Callable[[Ready, Ready], str] = lambda head, base: "",
    clock: Callable[[], float] = time.monotonic,
) -> Outcome:
    """Measure both sides pair by pair until `decisive(head, base, processes)` (which pair of
    processes measured each pair) or the plan says stop. A
    failure of the head's is raised; the base's ends the pairs, and the head goes on alone; so
    does a base that `vet` (given both workers' ready answers) finds a reason against."""
    with contextlib.ExitStack() as stack:
        stack.enter_context(terminate_as_interrupt())
        count = max(1, plan.workers)
        heads: list[Session] = []
        started: list[Session] = []
        for _ in range(count):
            # Which side of each pair of processes starts first is drawn: when every head
            # started before every base, the head came out 1-4 % faster in A/A runs of a
            # scikit-learn forest, and slower once the bases started first (2026-12-07).
            sides = [(head_spec, heads), (base_spec, started)]
            rng.shuffle(sides)
            for spec, workers in sides:
                workers.append(stack.enter_context(serving(spec, plan.timeout_s)))
        head_info, *_ = [head.ready() for head in heads]  # every one must be ready
        bases: list[Session] | None = started
        base_info: Ready | None = None
        failure = None
        try:
            answers = [base.ready() for base in started]
            base_info = answers[0]
            problem = next(filter(None, (vet(head_info, answer) for answer in answers)), "")
            if problem:
                raise MeasurementError(problem)
        except MeasurementError as error:
            for base in started:  # at once: they must not slow the head down while it goes on
                base.close()
            bases, failure = None, error
        head_repeats: list[Repeat] = []
        base_repeats: list[Repeat] = []
        start, longest, stopped = clock(), 0.0, ""
        while not stopped:
            began = clock()
            if began - start + longest > plan.max_seconds:
                stopped = "time"
                break
            index = len(head_repeats)
            head = heads[index % count]
            if bases is None:
                head_repeats.append(head.repeat(index))
            else:
                try:
                    pair = _pair(head, bases[index % count], index, rng)
                except _BaseFailed as error:
                    for base in bases:
                        base.close()
                    bases, failure = None, error.failure
                    continue
                head_repeats.append(pair[0])
                base_repeats.append(pair[1])
            longest = max(longest, clock() - began)
            stopped = _stop(head_repeats, base_repeats, bases is not None, plan, decisive)
    pairs = len(base_repeats) if failure is None else 0
    return Outcome(
        Run.of(head_info, head_repeats),
        None if failure or base_info is None else Run.of(base_info, base_repeats),
        failure,
        pairs,
        stopped,
        tuple(in_turn(pairs, count)),
    )


class _BaseFailed(Exception):
    def __init__(self, failure: MeasurementError) -> None:
        super().__init__(str(failure))
        self.failure = failure


def _pair(head: Session, base: Session, index: int, rng: random.Random) -> tuple[Repeat, Repeat]:
    """One batch of each side, the order drawn at random; a failure of the base's is told apart
    from the head's, which ends the whole measurement."""

    def base_batch() -> Repeat:
        try:
            return base.repeat(index)
        except MeasurementError as error:
            raise _BaseFailed(error) from None

    if rng.random() < 0.5:
        first = head.repeat(index)
        return first, base_batch()
    second = base_batch()
    return head.repeat(index), second


def _stop(
    head: list[Repeat],
    base: list[Repeat],
    paired: bool,
    plan: Plan,
    decisive: Callable[[list[Repeat], list[Repeat], list[int]], bool],
) -> str:
    pairs = len(head)
    if not paired:
        return "alone" if pairs >= min(plan.repeats, MAX_PAIRS) else ""
    if pairs < plan.min_pairs:
        return ""
    if pairs >= EARLY_PAIRS and decisive(head, base, in_turn(pairs, plan.workers)):
        return "clear"
    if pairs >= MAX_PAIRS:  # what a results file may hold, and the statistics can take
        return "time"
    return ""
