"""The history dashboard: one chart per stage with a point per run, hardware changes marked, every
untrusted text inert; and the page as Debian's chromium loads it from file://."""

from __future__ import annotations

import base64
import hashlib
import re
import time
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser import load
from history_fixtures import EPYC, HOSTILE, XEON, commit, entries, hostile

from carbon_gate.errors import UsageError
from carbon_gate.report import dashboard

URL = "https://github.com/example/model/commit/"


class Elements(HTMLParser):
    """The elements of a page, as an HTML parser (a browser's rules) reads it."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def charts(page: str) -> list[tuple[str, int]]:
    """Each chart's stage and its number of points, in the page's order."""
    found = re.findall(r'<svg class="chart" data-stage="(\w+)".*?</svg>', page, re.DOTALL)
    blocks = re.findall(r'<svg class="chart".*?</svg>', page, re.DOTALL)
    return [(stage, block.count("data-point=")) for stage, block in zip(found, blocks, strict=True)]


def test_no_history_says_so() -> None:
    page = dashboard.page([])
    assert "No history yet" in page
    assert "<svg" not in page
    assert page.startswith("<!DOCTYPE html>")


def test_one_run_draws_one_point_per_stage_and_no_chart_for_a_missing_stage() -> None:
    page = dashboard.page(entries(1))
    assert charts(page) == [
        ("lifecycle", 1), ("inference_per_1000", 1), ("inference", 1), ("training", 1)
    ]  # fmt: skip  # no search
    assert "measured otherwise:" not in page
    assert "1 run, 2026-01-01 08:00 UTC" in page


def test_every_run_is_a_point_and_the_hardware_change_is_marked() -> None:
    runs = entries(40, change_at=25)
    page = dashboard.page(runs)
    stages = ["lifecycle", "inference_per_1000", "inference", "training"]
    assert charts(page) == [(stage, 40) for stage in stages]
    # The 25 runs on the machine before the latest are hollow, in each of the four charts.
    assert len(re.findall(r'class="pt other"', page)) == 4 * 25
    assert page.count('<g class="change">') == 4
    assert f"measured otherwise: {XEON.label}" in page
    assert page.count('<tr class="changed">') == 1  # the table marks the first run on XEON
    assert "not comparable at the few-percent level" in page


def test_a_stage_missing_from_some_runs_has_fewer_points_and_a_broken_line() -> None:
    runs = entries(10, change_at=10)
    runs[4:6] = [replace(run, stages={**run.stages, "training": None}) for run in runs[4:6]]
    page = dashboard.page(runs)
    assert dict(charts(page))["training"] == 8
    training = re.search(r'data-stage="training".*?</svg>', page, re.DOTALL)
    assert training is not None
    assert training.group(0).count("<polyline") == 2  # runs 0-3 and 6-9


def test_hostile_texts_are_written_as_text() -> None:
    runs = [hostile(run) for run in entries(6, change_at=3)]
    page = dashboard.page(runs, title=HOSTILE[0])
    elements = Elements(page)
    assert elements.named("script") == []
    assert elements.named("img") == []
    for attrs in elements.named("a") + elements.named("g"):
        assert not any(name.startswith("on") for name in attrs)
    for text in HOSTILE:
        assert text not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page


def test_characters_that_hide_or_reorder_text_are_shown() -> None:
    trojan = replace(EPYC, cpu_model="EPYC\u202e7763\u2066", runner=("a\nb",))
    page = dashboard.page([replace(run, hardware=trojan) for run in entries(2)])
    assert "\u202e" not in page
    assert "\u2066" not in page
    assert "EPYC\ufffd7763\ufffd" in page
    assert "a b" in page


def test_commits_link_to_the_given_address() -> None:
    runs = entries(3)
    linked = Elements(dashboard.page(runs, commit_url=URL))
    assert [a["href"] for a in linked.named("a") if a["href"] != "#budget-1"] == [
        URL + commit(i) for i in (2, 1, 0)
    ]
    assert Elements(dashboard.page(runs)).named("a") == []


@pytest.mark.parametrize("url", ["javascript:alert(1)//", "data:text/html,x", "//evil.example/"])
def test_a_commit_address_that_is_not_http_is_refused(url: str) -> None:
    with pytest.raises(UsageError, match="https://"):
        dashboard.page(entries(1), commit_url=url)


def test_each_budget_file_has_its_section_the_latest_used_first() -> None:
    old = [replace(run, config="old.yml") for run in entries(3)]
    new = [replace(run, config="new.yml") for run in entries(5)]
    page = dashboard.page(old + new)
    assert re.findall(r"<h2><code>(.*?)</code></h2>", page) == ["new.yml", "old.yml"]
    assert [count for _, count in charts(page)] == [5, 5, 5, 5, 3, 3, 3, 3]


def test_the_policy_allows_the_page_s_one_style_and_nothing_else() -> None:
    page = dashboard.page(entries(3))
    [policy] = [
        meta["content"] or ""
        for meta in Elements(page).named("meta")
        if meta.get("http-equiv") == "Content-Security-Policy"
    ]
    [style] = re.findall(r"<style>(.*?)</style>", page, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert policy.startswith("default-src 'none'; ")
    assert f"style-src 'sha256-{digest}'" in policy
    assert "script-src" not in policy  # default-src 'none': no script at all
    assert " style=" not in page  # a style attribute would need 'unsafe-inline'


def test_ten_thousand_runs_render_quickly_with_the_last_ones_charted() -> None:
    runs = entries(10_000)
    start = time.perf_counter()
    page = dashboard.page(runs)
    took = time.perf_counter() - start
    assert took < 3.0, f"{took:.2f} s"  # 0.4 s on the development machine
    shown = dashboard.CHART_RUNS
    stages = ["lifecycle", "inference_per_1000", "inference", "training"]
    assert charts(page) == [(stage, shown) for stage in stages]
    assert f"The charts show the last {shown} of 10,000 runs" in page
    assert page.count("<tr") == 10_000 + 1
    # The ticks are thinned to what fits, and the latest run always has one.
    lifecycle = page[: page.index('data-stage="inference_per_1000"')]
    ticks = re.findall(r'<text class="sha"[^>]*>(\w+)</text>', lifecycle)
    assert 8 <= len(ticks) <= 16
    assert ticks[-1] == commit(9_999)[:7]


def test_the_page_loads_in_chromium_without_errors_and_shows_every_point(tmp_path: Path) -> None:
    runs = entries(30, change_at=12)
    runs[20] = replace(hostile(runs[20]), config=runs[20].config)  # to other hardware and back
    runs += [replace(run, config="other.yml") for run in entries(4, change_at=4)]
    page = dashboard.page(runs, commit_url=URL)
    file = tmp_path / "index.html"
    file.write_text(page, encoding="utf-8")
    shown = load(file)
    assert shown["consoleErrors"] == []  # a blocked style or resource would be one
    assert shown["pageErrors"] == []
    assert shown["failedRequests"] == []
    assert shown["requests"] == [file.as_uri()]
    assert shown["points"] == page.count("data-point=") == 4 * 34
    assert shown["pointsPerChart"] == [[s, n] for s, n in charts(page)]
    assert shown["changes"] == 4 * 3  # to XEON, to the hostile machine and back; none in other.yml
    assert (shown["scripts"], shown["images"]) == (0, 0)
    assert shown["rows"] == 34
    for text in HOSTILE:
        assert text in shown["text"]


def test_ten_thousand_runs_load_in_chromium(tmp_path: Path) -> None:
    file = tmp_path / "index.html"
    file.write_text(dashboard.page(entries(10_000), commit_url=URL), encoding="utf-8")
    shown = load(file)
    assert shown["consoleErrors"] == shown["pageErrors"] == []
    assert shown["points"] == 4 * dashboard.CHART_RUNS
    assert shown["rows"] == 10_000


def test_a_commit_url_that_is_no_http_address_is_refused() -> None:
    for url in ("javascript:alert(1)//", 'https://x/" onmouseover="a'):
        assert not dashboard.is_link_base(url)
        with pytest.raises(UsageError, match="is not an https:// or http:// address"):
            dashboard.page(entries(2), commit_url=url)
    assert dashboard.is_link_base("https://github.com/acme/model/commit/")
