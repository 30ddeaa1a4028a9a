"""Every relative link in README.md and docs/*.md leads to a file of this repository, and every
#anchor to an id GitHub gives on the page it names. Checked on the HTML that GitHub's own Markdown
library (cmark-gfm) makes of each page, so that a link in code is no link, as on github.com."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import cmarkgfm  # type: ignore[import-untyped]
import pytest
from cmarkgfm.cmark import Options  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[1]
# Links that leave the repository on purpose; nothing is fetched (the tests run offline).
EXTERNAL_SCHEMES = {"http", "https", "mailto"}
# GitHub's anchors into a file it shows as code: a line or a range of lines.
LINE_ANCHOR = re.compile(r"L\d+(-L\d+)?")
HEADING = re.compile(r"h[1-6]")


def pages(root: Path) -> list[Path]:
    """The Markdown a reader of the repository follows: the README and the pages of docs/."""
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def slug(text: str) -> str:
    """GitHub's id for a heading's text: lowercased; only letters, digits, marks, spaces, hyphens
    and underscores kept (any script's); each space a hyphen."""
    kept = (
        c
        for c in text.strip().lower()
        if c in " -" or unicodedata.category(c)[0] in "LNM" or unicodedata.category(c) == "Pc"
    )
    return "".join(kept).replace(" ", "-")


class Page(HTMLParser):
    """A rendered page's links, and the ids GitHub gives its headings (a repeated heading gets
    -1, -2, … as github-slugger numbers them) and its `<a id>` / `<a name>` anchors."""

    def __init__(self, markdown: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self._heading: list[str] | None = None
        self._slugs: dict[str, int] = {}
        self.feed(
            str(cmarkgfm.github_flavored_markdown_to_html(markdown, Options.CMARK_OPT_UNSAFE))
        )
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        target = values.get("href") if tag == "a" else values.get("src") if tag == "img" else None
        if target is not None:
            self.links.append(target)
        if tag == "a":
            self.ids.update(v for k, v in values.items() if k in ("id", "name") and v)
        if HEADING.fullmatch(tag):
            self._heading = []

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)

    def handle_endtag(self, tag: str) -> None:
        if HEADING.fullmatch(tag) and self._heading is not None:
            self.ids.add(self._unique(slug("".join(self._heading))))
            self._heading = None

    def _unique(self, base: str) -> str:
        result = base
        while result in self._slugs:
            self._slugs[base] += 1
            result = f"{base}-{self._slugs[base]}"
        self._slugs[result] = 0
        return result


def problems(files: Iterable[Path], root: Path) -> list[str]:
    """Every broken link in these Markdown files, as `FILE: (LINK) what is wrong`."""
    root = root.resolve()
    parsed: dict[Path, Page] = {}

    def page(path: Path) -> Page:
        if path not in parsed:
            parsed[path] = Page(path.read_text(encoding="utf-8"))
        return parsed[path]

    found = []
    for file in files:
        source = file.resolve()
        for link in page(source).links:
            problem = _link_problem(link, source, root, page)
            if problem:
                found.append(f"{source.relative_to(root)}: ({link}) {problem}")
    return found


def _link_problem(link: str, source: Path, root: Path, page: Callable[[Path], Page]) -> str | None:
    """What is wrong with one link of `source`, or None."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:
        if parts.scheme in EXTERNAL_SCHEMES:
            return None
        return "is neither a relative link nor http(s) or mailto"
    target = _target(unquote(parts.path), source, root)
    if not target.is_relative_to(root):
        return "leads out of the repository"
    if not target.exists():
        return f"no such file: {target.relative_to(root)}"
    return _anchor_problem(unquote(parts.fragment), target, root, page)


def _target(path: str, source: Path, root: Path) -> Path:
    """The file a link's path names: the linking file itself when there is no path, else relative
    to it, or to the repository's root for a path that starts with / (as GitHub reads it)."""
    if not path:
        return source
    base = root if path.startswith("/") else source.parent
    return (base / path.lstrip("/")).resolve()


def _anchor_problem(
    anchor: str, target: Path, root: Path, page: Callable[[Path], Page]
) -> str | None:
    """What is wrong with a link's #anchor into `target`, or None."""
    if not anchor:
        return None
    if target.suffix == ".md":
        if anchor in page(target).ids:
            return None
        return f"no heading or anchor #{anchor} in {target.relative_to(root)}"
    if target.is_file() and LINE_ANCHOR.fullmatch(anchor):
        return None
    return f"#{anchor}: anchors into a file that is not Markdown are lines (#L10, #L10-L20)"


def test_every_link_in_the_readme_and_docs_leads_somewhere() -> None:
    assert len(pages(ROOT)) > 1, "docs/ has no pages"
    assert problems(pages(ROOT), ROOT) == []


def test_every_docs_page_is_linked_from_the_readme() -> None:
    readme = ROOT / "README.md"
    linked = {
        (readme.parent / unquote(urlsplit(a).path)).resolve()
        for a in Page(readme.read_text()).links
    }
    assert [p.name for p in pages(ROOT)[1:] if p.resolve() not in linked] == []


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("## Measuring: `carbon-gate measure`", "measuring-carbon-gate-measure"),
        (
            "## Security: what is guaranteed, and what is not",
            "security-what-is-guaranteed-and-what-is-not",
        ),
        ("### JSON output (version 1)", "json-output-version-1"),
        ("## The *model*, [linked](x.md) & **bold**", "the-model-linked--bold"),
        ("## ❌ Überprüfung: snake_case -- 2×", "-überprüfung-snake_case----2"),
        ("## Комментарий", "комментарий"),
    ],
    ids=["code", "punctuation", "parentheses", "markup", "unicode-and-symbols", "cyrillic"],
)
def test_headings_get_githubs_ids(heading: str, expected: str) -> None:
    assert Page(heading).ids == {expected}


def test_a_repeated_heading_gets_a_number() -> None:
    assert Page("# Notes\n\n## Notes\n\n### Notes\n").ids == {"notes", "notes-1", "notes-2"}


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("[ok](b.md) and [ok](b.md#the-heading) and [ok](#here)", None),
        ("[broken](missing.md)", "no such file: docs/missing.md"),
        ("[broken](b.md#no-such-heading)", "no heading or anchor #no-such-heading in docs/b.md"),
        ("[broken](#the-heading)", "no heading or anchor #the-heading in docs/a.md"),
        ("[ok](#here-1)", None),
        ("[broken](#here-2)", "no heading or anchor #here-2"),
        ("[ok](<with space.md>) [ok](with%20space.md)", None),
        ("[ok](../README.md) [ok](/README.md#top)", None),
        ("[broken](../../outside.md)", "leads out of the repository"),
        ("[broken][ref]\n\n[ref]: missing.md", "no such file"),
        ("![broken](missing.png)", "no such file"),
        ('<a href="missing.md">broken</a>', "no such file"),
        ("[ok](../code.py#L2) [ok](../code.py#L2-L3)", None),
        ("[broken](../code.py#setup)", "anchors into a file that is not Markdown are lines"),
        (
            "[ok](https://example.invalid/a) [ok](mailto:a@example.invalid) www.example.invalid",
            None,
        ),
        ("[broken](file:///etc/passwd)", "is neither a relative link nor http(s) or mailto"),
        ("```\n[in a fence](missing.md)\n```\n\n~~~md\n[x](missing.md)\n~~~", None),
        ("`[inline code](missing.md)` and ``[x](missing.md)``", None),
        ('<a id="anchor"></a>\n\n[ok](#anchor)', None),
    ],
    ids=[
        "good",
        "missing-file",
        "missing-anchor",
        "anchor-in-the-wrong-page",
        "repeated-heading",
        "repeated-heading-too-far",
        "spaces",
        "parent-and-root",
        "outside-the-repository",
        "reference-link",
        "image",
        "raw-html-link",
        "line-anchor",
        "other-anchor-in-code",
        "external",
        "file-scheme",
        "fenced-code",
        "inline-code",
        "html-anchor",
    ],
)
def test_the_checker_finds_broken_links(
    tmp_path: Path, markdown: str, expected: str | None
) -> None:
    repo = tmp_path / "repo"
    (repo / "docs").mkdir(parents=True)
    (tmp_path / "outside.md").write_text("# Outside\n")
    (repo / "README.md").write_text("# Top\n")
    (repo / "code.py").write_text("a = 1\nb = 2\nc = 3\n")
    (repo / "docs" / "b.md").write_text("# The heading\n")
    (repo / "docs" / "with space.md").write_text("# Spaced\n")
    (repo / "docs" / "a.md").write_text(f"# Here\n\n## Here\n\n{markdown}\n")
    found = problems([repo / "docs" / "a.md"], repo)
    if expected is None:
        assert found == []
    else:
        assert len(found) == 1, found
        assert found[0].startswith("docs/a.md: (")
        assert expected in found[0]
