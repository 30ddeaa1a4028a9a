"""The history dashboard: one static HTML page of the default branch's runs, per budget file.

Self-contained, so it works from file:// and GitHub Pages alike: the charts are inline SVG drawn
here, the style is inline and allowed by its hash, and the page's Content-Security-Policy forbids
everything else (no script at all). Every text an entry holds (the budget file's path, the
benchmark, the CPU and GPU models, the runner's labels) may come from anyone who can push to the
history branch: autoescaping writes it as text, and characters that hide or reorder text are shown
as U+FFFD. The charts show each budget file's last `CHART_RUNS` runs (more do not fit the width as
separate points); the table under them lists every run.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import jinja2
from markupsafe import Markup

from carbon_gate.errors import UsageError
from carbon_gate.history.entries import Entry, Figure
from carbon_gate.quantities import Energy, Mass
from carbon_gate.readable import format_amount, format_count, format_energy
from carbon_gate.report import history_chart
from carbon_gate.report.templates import directory, visible

CHART_RUNS = 200
_LINK_BASE = re.compile(r"https?://[^\s\"'<>]+")
STAGES = {
    "lifecycle": "Life cycle CO2eq",
    "inference_per_1000": "CO2eq of 1,000 inferences",
    "inference": "Inference CO2eq over the lifetime",
    "training": "Training CO2eq",
    "search": "Model search CO2eq",
}  # in the order the charts come


@dataclass(frozen=True)
class Shown:
    """A figure as the table shows it: the value, and its 95 % interval under it."""

    value: str
    interval: str = ""


@dataclass(frozen=True)
class Row:
    commit: str
    short: str
    href: str | None
    recorded: str
    lifecycle: Shown
    inference: Shown
    per_sample: Shown
    hardware: str
    runner: list[str]
    changed: bool  # the first run on this hardware after another


@dataclass(frozen=True)
class StageChart:
    title: str
    chart: history_chart.Chart


@dataclass(frozen=True)
class Section:
    """One budget file's runs: its charts, and its table, newest first."""

    anchor: str
    config: str
    benchmark: str
    hardware: str  # the latest run's
    runs: str
    since: str
    until: str
    charted: int
    total: int
    charts: list[StageChart]
    other_hardware: bool  # some charted point is on other hardware than the latest run
    rows: list[Row]


def is_link_base(url: str) -> bool:
    """Whether `url` can start the page's commit links: http(s), and nothing that ends an
    attribute or a URL (spaces, quotes, angle brackets)."""
    return _LINK_BASE.fullmatch(url) is not None


def page(
    entries: Sequence[Entry], *, commit_url: str | None = None, title: str = "carbon-gate history"
) -> str:
    """The dashboard of `entries` (oldest first); each commit links to `commit_url` + its name."""
    if commit_url is not None and not is_link_base(commit_url):
        raise UsageError(f"the commit URL {commit_url!r} is not an https:// or http:// address")
    sections = [
        _section(n, runs, commit_url) for n, runs in enumerate(_by_config(entries), start=1)
    ]
    env = _environment()
    css = env.loader.get_source(env, "history.css")[0] if env.loader else ""
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    policy = (
        f"default-src 'none'; style-src 'sha256-{digest}'; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )
    return env.get_template("history.html.j2").render(
        title=visible(title), policy=policy, css=Markup(css), sections=sections
    )


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory()),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _by_config(entries: Sequence[Entry]) -> list[list[Entry]]:
    """The runs of each budget file, oldest first; the budget file run most recently first."""
    runs: dict[str, list[Entry]] = {}
    for entry in entries:
        runs.setdefault(entry.config, []).append(entry)
    latest = {entry.config: i for i, entry in enumerate(entries)}
    return [runs[config] for config in sorted(runs, key=latest.__getitem__, reverse=True)]


def _section(n: int, runs: list[Entry], commit_url: str | None) -> Section:
    changed = [i > 0 and run.hardware.fingerprint != runs[i - 1].hardware.fingerprint
               for i, run in enumerate(runs)]  # fmt: skip
    first = max(0, len(runs) - CHART_RUNS)
    charted, latest = runs[first:], runs[-1].hardware.fingerprint
    charts = []
    for stage, title in STAGES.items():
        tooltips = [_tooltip(run, stage, title) for run in charted]
        drawn = history_chart.chart(
            stage, charted, first=first, changed=changed[first:], tooltips=tooltips, latest=latest
        )
        if drawn is not None:
            charts.append(StageChart(title, drawn))
    rows = [_row(run, flag, commit_url) for run, flag in zip(runs, changed, strict=True)]
    return Section(
        anchor=f"budget-{n}",
        config=visible(runs[-1].config),
        benchmark=visible(runs[-1].benchmark),
        hardware=visible(runs[-1].hardware.label),
        runs=format_count(len(runs)),
        since=_date(runs[0].recorded),
        until=_date(runs[-1].recorded),
        charted=len(charted),
        total=len(runs),
        charts=charts,
        other_hardware=any(run.hardware.fingerprint != latest for run in charted),
        rows=rows[::-1],
    )


def _tooltip(run: Entry, stage: str, title: str) -> str:
    found = run.stage(stage)
    if found is None:
        return ""
    shown = _mass(found.co2eq_kg)
    return (
        f"{run.commit[:12]} · {_date(run.recorded)} UTC\n"
        f"{title}: {shown.value} CO2eq (95 % interval {shown.interval})\n"
        f"{visible(run.hardware.label)}"
    )


def _row(run: Entry, changed: bool, commit_url: str | None) -> Row:
    lifecycle, inference = run.stage("lifecycle"), run.stage("inference")
    per_sample = run.per_sample_j
    return Row(
        commit=run.commit,
        short=run.commit[:7],
        href=None if commit_url is None else commit_url + run.commit,
        recorded=_date(run.recorded),
        lifecycle=Shown("—") if lifecycle is None else _mass(lifecycle.co2eq_kg),
        inference=Shown("—") if inference is None else _mass(inference.co2eq_kg),
        per_sample=Shown(
            format_energy(Energy(per_sample.value)),
            f"{format_energy(Energy(per_sample.low))} – {format_energy(Energy(per_sample.high))}",
        ),
        hardware=visible(run.hardware.label),
        runner=[visible(label) for label in run.hardware.runner],
        changed=changed,
    )


def _mass(figure: Figure) -> Shown:
    """`2.41 g`, `2.38 g – 2.45 g`: the table's heading says CO2eq."""
    value, low, high = (format_amount(Mass(kg)) for kg in (figure.value, figure.low, figure.high))
    return Shown(value, f"{low} – {high}")


def _date(recorded: str) -> str:
    """`2026-12-02 08:00` (UTC) from `2026-12-02T08:00:00Z`."""
    return f"{recorded[:10]} {recorded[11:16]}"
