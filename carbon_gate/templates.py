"""The Jinja2 templates carbon-gate renders, shipped inside the package."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment


def directory() -> Path:
    """Where the templates are: inside the installed package, or the source tree's `templates/`."""
    here = Path(__file__).resolve().parent
    installed = here / "templates"
    # An editable install or a plain checkout has no copy inside the package: the design card keeps
    # templates/ at the repository root, and the wheel build copies them in.
    return installed if installed.is_dir() else here.parent / "templates"


def environment(folder: Path | None = None) -> jinja2.Environment:
    """A sandboxed Jinja2 environment for Markdown (a user's template cannot reach Python's
    internals, the environment or the token); undefined names are errors; escaping is explicit."""
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(folder or directory()),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # Markdown, not HTML: untrusted strings go through the `md` filter
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = escape_markdown
    return env


_MARKDOWN_SPECIAL = str.maketrans(
    {
        **{c: f"\\{c}" for c in "\\`*_{}[]()<>#|~!$"},  # $: GitHub's math
        "&": "&amp;",  # no HTML entities
        "@": "@\u200b",  # a zero-width space after @ stops GitHub from mentioning anyone
    }
)


_AUTOLINK = re.compile(r"(://|\bwww\.)", re.IGNORECASE)


def escape_markdown(text: object) -> str:
    """Make `text` inert in GitHub Markdown: no formatting, links (also the ones GitHub makes of
    bare URLs and www. names), HTML, tables or @-mentions."""
    flat = str(text).replace("\r", " ").replace("\n", " ").translate(_MARKDOWN_SPECIAL)
    # A zero-width space inside "://" and after "www" stops GitHub's autolinking.
    return _AUTOLINK.sub(lambda m: m.group(0)[:-1] + "\u200b" + m.group(0)[-1], flat)
