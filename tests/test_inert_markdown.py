"""Untrusted strings stay inert in the comment as GitHub renders it: checked on the HTML that
GitHub's own Markdown library (cmark-gfm with GitHub's extensions) makes of the report, the way
GitHub's reference filters see it: text nodes outside code, pre and links."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import replace
from html.parser import HTMLParser

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from gate_fixtures import ASSUMPTIONS, FACTOR, judged, results_document
from gate_fixtures import side as side_from_results
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carbon_gate.budget.settings import Budgets
from carbon_gate.gate.compare import decide
from carbon_gate.github.pull_request import PullRequest
from carbon_gate.lifecycle.estimate import estimate
from carbon_gate.quantities import Energy, Intensity, Mass
from carbon_gate.report import merged, pr_report, render_estimate
from carbon_gate.report.templates import escape_markdown

# What GitHub turns into links, mentions or cross-references in a comment's text (docs.github.com,
# "Autolinked references and URLs"; the mention rule as in html-pipeline's MentionFilter). Each
# pattern is as wide as GitHub's or wider, so that a pass here means GitHub finds nothing either.
REFERENCES = {
    "issue": re.compile(r"#\d+"),  # #26, owner#26 and owner/repo#26 all hold it
    "cross-repository issue": re.compile(r"[\w.-]+/[\w.-]+#\d+"),
    "GH- issue": re.compile(r"\bGH-\d", re.IGNORECASE),
    "mention or user@sha": re.compile(r"@[A-Za-z0-9]"),  # @user, @org/team, owner/repo@sha
    "commit SHA": re.compile(r"\b[0-9a-f]{7,40}\b", re.IGNORECASE),
    "URL": re.compile(r"://|\bwww\.", re.IGNORECASE),
}
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
WORD_JOINER = "\u2060"  # the one invisible character the escaper itself puts in
# Elements a string may sit in; anything else in the HTML came from the string.
CONTEXTS = {
    "paragraph": ("before {} after", {"p"}),
    "own line": ("before\n{}", {"p"}),
    "heading": ("### {}", {"h3"}),
    "list item": ("- {}", {"ul", "li"}),
    "bold": ("before **{}** after", {"p", "strong"}),
    "table cell": (
        "| a | b |\n|---|---|\n| {} | x |",
        {"table", "thead", "tbody", "tr", "th", "td"},
    ),
}


class _Text(HTMLParser):
    """The text GitHub's filters read (outside code, pre and a) and every element's tag."""

    SKIPPED = frozenset({"code", "pre", "a"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self.tags: list[str] = []
        self._open: list[str] = []
        self._joined = False  # whether the next data continues the last text node

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._open.append(tag)
        self._joined = False

    def handle_endtag(self, tag: str) -> None:
        if tag in self._open:
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag) :]
        self._joined = False

    def handle_data(self, data: str) -> None:
        if self.SKIPPED.intersection(self._open):
            return
        if self._joined:
            self.nodes[-1] += data
        else:
            self.nodes.append(data)
        self._joined = True


def rendered(markdown: str) -> _Text:
    """`markdown` as GitHub renders it (raw HTML let through, so that none can hide)."""
    parser = _Text()
    parser.feed(
        cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    )
    parser.close()
    parser.nodes = [node for node in parser.nodes if node.strip()]  # not the lines between
    return parser


def references(markdown: str) -> Counter[tuple[str, str]]:
    """Every (kind, text) GitHub would link in `markdown`, counted."""
    found: Counter[tuple[str, str]] = Counter()
    for node in rendered(markdown).nodes:
        for kind, pattern in REFERENCES.items():
            found.update((kind, m.group(0)) for m in pattern.finditer(node))
    return found


def hidden(text: str) -> list[str]:
    """Characters that reorder or hide text, other than the escaper's own word joiner."""
    return [
        f"U+{ord(c):04X}"
        for c in text
        if (c != WORD_JOINER and unicodedata.category(c) in ("Cf", "Cs"))
        or (unicodedata.category(c) == "Cc" and c != "\n")
    ]


# Hostile strings: the pieces of every reference, escape and Markdown construct, mixed at random.
PIECES = [
    "#", "123", "7", "GH-", "gh-", "Gh-", "owner", "/", "repo", "owner/repo", "org/team", "@",
    "user", "a5c3785", "ed8d6a35868bc169f07e40e889087fd2e", "0123456789", "deadbeef", "\\", "&",
    "&#35;", "&#x23;", "&#64;", "#x23;", " ", "`", "```", "<a href=x>", "</a>", "<img src=x>",
    "<script>", "https://", "www.", "evil.com", "mailto:", "x@y.com", "[", "](", ")", "*", "_",
    "~", "~~", ":", "-", ".", "|", "<", ">", "!", "$", "\n", "\r", "\t", "\u202e", "\u2066",
    "\u2069", "\u200e", "\u200f", "\u061c", "\u200b", "\u2060", "\ufeff", "\u00ad", "\x00",
    "\x1b", "\x85", "\u2028", "\ud800", "1.", "1)", "+", "=", "===", "---", "    ",
]  # fmt: skip
hostile = st.lists(st.sampled_from(PIECES) | st.text(max_size=2), min_size=1, max_size=12).map(
    "".join
)

# The reference GitHub would link in each piece, written out: each must come out inert.
KNOWN = [
    "#123",
    "GH-45",
    "gh-45",
    "owner/repo#7",
    "owner#7",
    "@everyone",
    "@org/team",
    "owner/repo@a5c3785",
    "user@a5c3785ed8d6a35868bc169f07e40e889087fd2e",
    "a5c3785",
    "a5c3785ed8d6a35868bc169f07e40e889087fd2e",
    "\\#123",
    "&#35;123",
    "&#x23;123",
    "#\u2060123",
    "https://evil.example",
    "www.evil.example",
    "x@evil.example",
]


@pytest.mark.parametrize("text", KNOWN)
@pytest.mark.parametrize("where", list(CONTEXTS))
def test_a_reference_comes_out_as_text(text: str, where: str) -> None:
    template, allowed = CONTEXTS[where]
    markdown = template.format(escape_markdown(text))
    assert not references(markdown), markdown
    assert set(rendered(markdown).tags) <= allowed


@pytest.mark.parametrize(
    "text", ["owner/repo#7", "feature/GH-12-faster", "user@a5c3785", "#1 fix"], ids=str
)
def test_it_still_reads_as_written(text: str) -> None:
    """A reviewer reads the branch name as it is: only invisible characters were added."""
    (node,) = rendered(escape_markdown(text)).nodes
    assert node.replace(WORD_JOINER, "") == text


@pytest.mark.parametrize(
    "text",
    [
        "main\u202e\u2066txt.exe\u2069\u202c",  # Trojan Source: the name reads backwards
        "a\u200eb\u200fc\u061cd\u2067e\u2068f\u202ag\u202bh\u202di",
        "zero\u200bwidth\ufeffand\u00adsoft\u2060joiner",
        "tag\U000e0041s and \x1b[31mcolour\x1b[0m and \x00 and \x85",
    ],
)
def test_bidi_and_invisible_characters_are_shown(text: str) -> None:
    """Nothing can reorder the report's text or hide in it: each such character becomes a
    visible U+FFFD."""
    escaped = escape_markdown(text)
    assert not hidden(escaped)
    (node,) = rendered(escaped).nodes
    assert not hidden(node)
    assert "\ufffd" in node


@pytest.mark.parametrize("where", list(CONTEXTS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=hostile)
def test_any_string_comes_out_inert(where: str, text: str) -> None:
    template, allowed = CONTEXTS[where]
    escaped = escape_markdown(text)
    markdown = template.format(escaped)
    page = rendered(markdown)
    assert not references(markdown), markdown
    assert set(page.tags) <= allowed, markdown
    assert not hidden(escaped)
    assert not [node for node in page.nodes if hidden(node)], markdown
    escaped.encode("utf-8")  # no lone surrogate left to break the comment's upload


# --- the whole report ----------------------------------------------------------------------------


def _report(untrusted: str) -> str:
    """The report with `untrusted` in every place a fork's pull request or results file can put
    a string: branch name, model, CPU, power sources, environment, warnings, why the base was not
    measured, and the caller's notes; and in the budget file's grid and assumptions' sources."""
    head = results_document(0.0101, callable_=untrusted, cpu_model=untrusted)
    base = results_document(0.0100, callable_=untrusted + "base", cpu_model="Base CPU")
    for document in (head, base):
        document["power_sources"]["gpu"] = {
            "source": "measured",
            "method": untrusted,
            "model": untrusted,
        }
        document["environment"].update(os=untrusted, python=untrusted, codecarbon=untrusted)
        document["warnings"] = [untrusted]
    shown = judged(head)
    grid = replace(FACTOR, name=untrusted, location=untrusted, source=untrusted)
    sources = dict.fromkeys(shown.estimate.assumptions.sources, untrusted)
    estimated = replace(
        shown.estimate,
        assumptions=replace(shown.estimate.assumptions, sources=sources),
        factor=grid,
        alternatives=((replace(grid, intensity=Intensity(20.0)), Mass(1.0)),),
    )
    decision = decide(
        side_from_results(head),
        side_from_results(base),
        Budgets(lifecycle=Mass(1.0), max_increase_percent=0.5),
        unjudged=f"the base was not measured: {untrusted}",
    )
    pr = PullRequest("acme/model", 43, "a" * 40, "c" * 40, untrusted, fork=True)
    notes = (f"the pull request changed the benchmark ({untrusted!r} → {untrusted})",)
    data = pr_report.ReportInput(
        decision, replace(shown, estimate=estimated), judged(base), pr, untrusted, notes
    )
    return pr_report.to_markdown(data)


BENIGN = _report("benign")


def _added_by(untrusted: str) -> tuple[Counter[tuple[str, str]], list[str]]:
    """The references and elements the untrusted string added to the report."""
    text = _report(untrusted)
    page, benign = rendered(text), rendered(BENIGN)
    tags = Counter(page.tags) - Counter(benign.tags)
    return references(text) - references(BENIGN), sorted(tags)


def test_the_report_keeps_its_own_references() -> None:
    """The pull request's number and commits are the gate's own, trusted: they stay links."""
    found = references(BENIGN)
    assert ("issue", "#43") in found
    assert ("commit SHA", "ccccccc") in found


@pytest.mark.parametrize("text", KNOWN)
def test_a_reference_in_the_report_comes_out_as_text(text: str) -> None:
    assert _added_by(text) == (Counter(), [])


# A results file holds UTF-8 only: the reader refuses a lone surrogate (tests/test_history.py), so
# the report never meets one.
in_results = hostile.map(lambda text: re.sub("[\ud800-\udfff]", "\ufffd", text))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=in_results)
def test_any_string_in_the_report_comes_out_inert(text: str) -> None:
    markdown = _report(text)
    assert _added_by(text) == (Counter(), []), markdown
    assert not [node for node in rendered(markdown).nodes if BIDI.search(node)]
    markdown.encode("utf-8")


def test_the_estimate_comes_out_inert() -> None:
    """`carbon-gate estimate --format markdown`: the grid's and the assumptions' words too."""
    words = "owner/repo#7 GH-1 @team a5c3785 \u202eevil"
    factor = replace(FACTOR, location=words, name=words, source=words)
    assumptions = replace(
        ASSUMPTIONS,
        per_inference=Energy(0.01),
        sources={**ASSUMPTIONS.sources, "epochs": words},
    )
    text = render_estimate.to_markdown(estimate(assumptions, factor, [factor]), [])
    assert not references(text), text
    assert not [node for node in rendered(text).nodes if BIDI.search(node)]


@pytest.mark.parametrize("spaces", ["  ", "   ", " \u00a0 "])
def test_trailing_spaces_break_no_line(spaces: str) -> None:
    """Two spaces at a line's end are a hard line break (<br />) in Markdown."""
    html = cmarkgfm.github_flavored_markdown_to_html(
        f"Branch {escape_markdown('feature' + spaces)}\nnext", options=Options.CMARK_OPT_UNSAFE
    )
    assert "<br" not in html


@pytest.mark.parametrize(
    "name",
    ["www.evil.example", "GH-12", "user@abc1234", "owner/repo 12", "deadbeefcafe"],
    ids=["www", "gh", "mention", "cross-repository", "sha"],
)
def test_a_merged_reports_leg_names_runners_and_paths_come_out_inert(name: str) -> None:
    """A matrix's legs: their names, runners and budget files come from the legs' folders
    (the pull request's to write), within the few characters they may hold."""

    def report(word: str) -> str:
        legs = [merged.LegReport(word, word, f"{word}/carbon-budget.yml", None, f"{word} said no")]
        gathered = merged.gather(legs, [word, f"{word}-missing"])
        return merged.to_markdown(gathered, pr_report.marker("matrix"), None)

    benign, text = report("plain"), report(name)
    assert references(text) - references(benign) == Counter(), text
    assert sorted(Counter(rendered(text).tags) - Counter(rendered(benign).tags)) == []
