"""A measurement as a person reads it: what was run, the energy with its spread, and whether each
component's energy was measured by a counter or estimated by a model."""

from __future__ import annotations

from carbon_gate.budget.settings import Benchmark
from carbon_gate.measure.batches import Batch
from carbon_gate.measure.measurement import Measurement
from carbon_gate.measure.power_sources import PowerSources
from carbon_gate.quantities import Duration, Energy
from carbon_gate.readable import format_duration, format_energy, format_energy_range
from carbon_gate.results.records import Results
from carbon_gate.stats import Summary


def describe_plan(bench: Benchmark) -> str:
    """One line before measuring: what will run, and for how long."""
    what = bench.command or bench.callable
    train = f", and {bench.train_step} alternating with it" if bench.train_step else ""
    return (
        f"measuring {what} (batch {bench.batch_size}){train}: warm-up {bench.warmup_s:g} s, then "
        f"{bench.repeats} repeats over {bench.duration_s:g} s"
    )


def _energy(joules: float) -> str:
    return format_energy(Energy(joules))


def _spread(s: Summary) -> str:
    interval = format_energy_range(s.ci_low, s.ci_high, s.mean)
    return f"95 % CI {interval}, CV {s.cv:.1%}, {s.n} repeats"


def to_text(m: Measurement, recorded: Results, bench: Benchmark, results_path: str) -> str:
    """The measurement block printed above the estimate: `m`, summarised from `recorded`."""
    kind = m.energy_kind
    label = {
        "measured": "measured by energy counters",
        "estimated": "ESTIMATED by codecarbon's power models (no energy counter here)",
        "partly measured": "partly measured, partly estimated (see below)",
    }[kind]
    what = bench.command or bench.callable
    lines = [
        f"Benchmark — {what}, batch {m.batch_size}",
        "",
        # The mean: the whole cost, every call counted, as the estimate takes it.
        f"  energy per sample   {_energy(m.per_sample_j.mean)}  ({_spread(m.per_sample_j)})",
        f"  energy per call     {_energy(m.per_call_j.mean)}",
        *(
            [f"  time per sample     {format_duration(Duration(m.per_sample_s.mean))}"]
            if m.per_sample_s is not None
            else []
        ),
        f"  energy is           {label}",
        f"  of which            {_shares(recorded.batches.inference)}",
    ]
    if bench.command:
        lines.append("  (a shell command: the energy of the whole machine while it ran)")
    if m.train_per_sample_j is not None and m.overhead_factor is not None:
        k = m.overhead_factor
        train = m.train_per_sample_j.mean
        lines += [
            f"  training step       {_energy(train)} per sample",
            f"  overhead factor k   {train / m.per_sample_j.mean:.2f}  (repeats: 95 % CI "
            f"{max(0.0, k.ci_low):.2f} – {k.ci_high:.2f}; the seed paper's default: 5)",
        ]
    lines += ["", *_sources(recorded.power_sources)]
    lines += [f"warning: {w}" for w in m.warnings]
    lines += ["", f"Results written to {results_path}", ""]
    return "\n".join(lines) + "\n"


def _shares(batches: tuple[Batch, ...]) -> str:
    """How the inference energy splits between CPU, GPU and RAM, over all repeats."""
    total = sum(b.energy_j for b in batches)
    split = [dict(b.parts) for b in batches]
    parts = [
        f"{name} {sum(s.get(key, 0.0) for s in split) / total:.0%}"
        for name, key in (("CPU", "cpu_j"), ("GPU", "gpu_j"), ("RAM", "ram_j"))
        if any(s.get(key) for s in split)
    ]
    return " · ".join(parts) if parts and total else "no split reported"


def _sources(sources: PowerSources) -> list[str]:
    lines = []
    for component, source in sources.present():
        model = f", {source.model}" if source.model else ""
        lines.append(f"  {component.upper():<4}{source.source:<10} {source.method}{model}")
    return lines
