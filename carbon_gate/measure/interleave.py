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
from carbon_gate.measure.batches import Repeat
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
    renew: bool = False  # start fresh pairs of processes in the background (`_Spare`)


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
    spread_large: Callable[[list[Repeat], list[Repeat], list[int]], bool] = lambda h, b, p: True,
) -> Outcome:
    """Measure both sides pair by pair until `decisive(head, base, processes)` (which pair of
    processes measured each pair) or the plan says stop. A
    failure of the head's is raised; the base's ends the pairs, and the head goes on alone; so
    does a base that `vet` (given both workers' ready answers) finds a reason against. With
    `plan.renew`, fresh pairs of processes start while `spread_large(head, base, processes)`
    says that the difference between processes, as measured so far, widens the intervals."""
    with contextlib.ExitStack() as stack:
        stack.enter_context(terminate_as_interrupt())
        began_starting = time.monotonic()
        sides = _Sides.start(stack, (head_spec, base_spec), plan, rng, vet)
        starting_s = time.monotonic() - began_starting  # what a fresh pair may take
        spare: _Spare | None = None
        head_repeats: list[Repeat] = []
        base_repeats: list[Repeat] = []
        start, longest, stopped = clock(), 0.0, ""
        while not stopped:
            began = clock()
            if began - start + longest > plan.max_seconds:
                stopped = "time"
                break
            index = len(head_repeats)
            if spare is not None and spare.ready():
                sides.renew(index, spare, vet)
                spare = None
            if sides.bases is None:
                head_repeats.append(sides.head(index).repeat(index))
            else:
                try:
                    pair = _pair(sides.head(index), sides.base(index), index, rng)
                except _BaseFailed as error:
                    sides.base_failed(error.failure)
                    continue
                head_repeats.append(pair[0])
                base_repeats.append(pair[1])
                sides.served(index)
                # A fresh pair of processes, when one can still be ready and serve in time, and
                # the difference between processes as measured so far widens the intervals.
                if (
                    plan.renew
                    and spare is None
                    and start + plan.max_seconds - clock() > 3 * starting_s
                    and len(head_repeats) >= plan.min_pairs
                    and spread_large(head_repeats, base_repeats, sides.processes)
                ):
                    spare = _Spare(stack, (head_spec, base_spec), plan.timeout_s, rng)
            longest = max(longest, clock() - began)
            stopped = _stop(head_repeats, base_repeats, sides, plan, decisive)
    failure, base_info = sides.failure, sides.base_info
    return Outcome(
        Run.of(sides.head_info, head_repeats),
        None if failure or base_info is None else Run.of(base_info, base_repeats),
        failure,
        len(base_repeats) if failure is None else 0,
        stopped,
        tuple(sides.processes) if failure is None else (),
    )


class _Sides:
    """The worker processes serving now: the head's and the base's at each place in the turn
    (pair k at place k mod workers), which pair of processes each place holds, and which one
    measured each pair; the base's failure, once there is one (then no bases)."""

    def __init__(self, heads: list[Session], bases: list[Session], head_info: Ready) -> None:
        self.heads = heads
        self.bases: list[Session] | None = bases
        self.head_info = head_info
        self.base_info: Ready | None = None
        self.failure: MeasurementError | None = None
        self.ids = list(range(len(heads)))
        self.processes: list[int] = []

    @classmethod
    def start(
        cls,
        stack: contextlib.ExitStack,
        specs: tuple[dict[str, Any], dict[str, Any]],
        plan: Plan,
        rng: random.Random,
        vet: Callable[[Ready, Ready], str],
    ) -> _Sides:
        """Start every worker, and wait until they are ready: a head's failure is raised, the
        base's (or what `vet` finds against one) is kept, and the bases closed."""
        heads: list[Session] = []
        bases: list[Session] = []
        for _ in range(max(1, plan.workers)):
            # Which side of each pair of processes starts first is drawn: when every head
            # started before every base, the head came out 1-4 % faster in A/A runs of a
            # scikit-learn forest, and slower once the bases started first (2026-12-07).
            order = [(specs[0], heads), (specs[1], bases)]
            rng.shuffle(order)
            for spec, workers in order:
                workers.append(stack.enter_context(serving(spec, plan.timeout_s)))
        head_info, *_ = [head.ready() for head in heads]  # every one must be ready
        sides = cls(heads, bases, head_info)
        try:
            answers = [base.ready() for base in bases]
            sides.base_info = answers[0]
            problem = next(filter(None, (vet(head_info, answer) for answer in answers)), "")
            if problem:
                raise MeasurementError(problem)
        except MeasurementError as error:
            sides.base_failed(error)
        return sides

    def head(self, index: int) -> Session:
        return self.heads[index % len(self.heads)]

    def base(self, index: int) -> Session:
        assert self.bases is not None
        return self.bases[index % len(self.bases)]

    def served(self, index: int) -> None:
        """Pair `index` was measured by the pair of processes at its place."""
        self.processes.append(self.ids[index % len(self.ids)])

    def base_failed(self, error: MeasurementError) -> None:
        """The base failed: its processes end at once (they must not slow the head down while
        it goes on alone)."""
        for base in self.bases or ():
            base.close()
        self.bases, self.failure = None, error

    def renew(self, index: int, spare: _Spare, vet: Callable[[Ready, Ready], str]) -> None:
        """The spare, ready, takes the place of pair `index`'s processes, which end."""
        if self.bases is None:
            spare.close()
            return
        place = index % len(self.heads)
        try:
            fresh = spare.take(self.head_info, vet)
        except _BaseFailed as error:
            self.base_failed(error.failure)
            return
        self.heads[place].close()
        self.bases[place].close()
        self.heads[place], self.bases[place] = fresh
        self.ids[place] = max(self.ids) + 1


class _Spare:
    """A fresh pair of processes, the head's and the base's, starting in the background while
    the pairs go on: one process at a time (the order drawn), so that no more than one competes
    with the measuring for the CPUs. Once both are ready it takes the place of a pair of
    processes that has served, so that each side's mean averages over more processes than run at
    once, and the difference between processes is measured with more degrees of freedom."""

    def __init__(
        self,
        stack: contextlib.ExitStack,
        specs: tuple[dict[str, Any], dict[str, Any]],
        timeout_s: float,
        rng: random.Random,
    ) -> None:
        self._stack, self._timeout_s = stack, timeout_s
        self._order = [(0, specs[0]), (1, specs[1])]
        rng.shuffle(self._order)
        self._sessions: dict[int, Session] = {}

    def ready(self) -> bool:
        """Whether both processes have answered; starts the next one once the first has."""
        for side, spec in self._order:
            session = self._sessions.get(side)
            if session is None:
                session = self._stack.enter_context(serving(spec, self._timeout_s))
                self._sessions[side] = session
                return False
            if not session.answered():
                return False
        return True

    def take(self, head_info: Ready, vet: Callable[[Ready, Ready], str]) -> tuple[Session, Session]:
        """Both processes, ready: the head's failure is the gate's error, the base's (or what
        `vet` finds against it) ends the pairs, as for the first processes."""
        head, base = self._sessions[0], self._sessions[1]
        head.ready()
        try:
            problem = vet(head_info, base.ready())
        except MeasurementError as error:
            self.close()
            raise _BaseFailed(error) from None
        if problem:
            self.close()
            raise _BaseFailed(MeasurementError(problem))
        return head, base

    def close(self) -> None:
        for session in self._sessions.values():
            session.close()


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
    sides: _Sides,
    plan: Plan,
    decisive: Callable[[list[Repeat], list[Repeat], list[int]], bool],
) -> str:
    pairs = len(head)
    if sides.bases is None:
        return "alone" if pairs >= min(plan.repeats, MAX_PAIRS) else ""
    if pairs < plan.min_pairs:
        return ""
    if pairs >= EARLY_PAIRS and decisive(head, base, sides.processes):
        return "clear"
    if pairs >= MAX_PAIRS:  # what a results file may hold, and the statistics can take
        return "time"
    return ""
