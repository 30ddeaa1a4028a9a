"""The Jinja2 templates carbon-gate renders, shipped inside the package."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment


def directory() -> Path:
    """Where the templates are: inside the installed package, or the source tree's `templates/`."""
    package = Path(__file__).resolve().parents[1]
    installed = package / "templates"
    # An editable install or a plain checkout has no copy inside the package: the design card keeps
    # templates/ at the repository root, and the wheel build copies them in.
    return installed if installed.is_dir() else package.parent / "templates"


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


# The one invisible character the escaper puts in. GitHub links a reference only when its pieces
# touch (`#` then digits, `GH-` then digits, `@` then a name, 7 to 40 hex digits as one word, `://`,
# `www.`), and U+2060 WORD JOINER is neither a digit, a letter nor a hex digit; unlike U+200B it is
# no line-break opportunity, so `owner/repo#7` stays on one line. Markdown renderers keep it.
WORD_JOINER = "\u2060"

_MARKDOWN_SPECIAL = str.maketrans(
    {
        **{c: f"\\{c}" for c in "\\`*_{}[]()<>|~!$"},  # $: GitHub's math
        "#": "\\#" + WORD_JOINER,  # no heading, and no issue reference (#26, owner/repo#26)
        "&": "&amp;",  # no HTML entities: `&#35;` would come out as `#`
        "@": "@" + WORD_JOINER,  # no @-mention, user@sha or owner/repo@sha
    }
)

# Characters a reader does not see, or that move the text around them ("Trojan Source": the bidi
# controls U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C), besides the control and format
# categories: letters that render as nothing (Hangul fillers, Khmer inherent vowels).
_INVISIBLE = frozenset("\u115f\u1160\u17b4\u17b5\u3164\uffa0")
_LINE_BREAKS = frozenset("\r\n\t\v\f\x85\u2028\u2029")
_SHOWN = "\ufffd"

# What GitHub links in a comment's text after rendering, as listed in "Autolinked references and
# URLs" (https://docs.github.com/en/get-started/writing-on-github/working-with-advanced-formatting/
# autolinked-references-and-urls): issues and pull requests as #26, GH-26, owner/repo#26; commits as
# a SHA (7 to 40 hex digits), user@SHA, owner/repo@SHA; URLs; and @user, @org/team mentions. A
# backslash does not stop it: the reference filters read the rendered text, where `\#26` is `#26`
# again. `#` and `@` are taken care of above; here a word joiner splits the rest.
_LINKABLE = re.compile(r"gh-|://|www\.|[0-9a-f]{7,}", re.IGNORECASE)
# What would open a block where a template puts a string at the start of a line, or after "- ": a
# list item (`-`, `+`, `1.`; `*` and `1)` are escaped above), a thematic break, a heading underline.
_LINE_START = re.compile(r"^(?:[-+=](?=[ ]|[-= ]*$)|\d{1,9}(?=\.(?:[ ]|$)))")
_SHA_PIECE = 6  # hex digits at most between word joiners: GitHub needs 7 for a commit


def _split(match: re.Match[str]) -> str:
    found = match.group(0)
    if found.lower() == "gh-":
        return found + WORD_JOINER
    if found == "://" or found.lower() == "www.":
        return found[:-1] + WORD_JOINER + found[-1]
    return WORD_JOINER.join(found[i : i + _SHA_PIECE] for i in range(0, len(found), _SHA_PIECE))


def _escape_start(match: re.Match[str]) -> str:
    found = match.group(0)
    return found + "\\" if found[0].isdigit() else "\\" + found


def _visible(char: str) -> str:
    if char in _LINE_BREAKS:
        return " "
    if char in _INVISIBLE or unicodedata.category(char) in ("Cc", "Cf", "Cs"):
        return _SHOWN  # also a lone surrogate, which could not be sent as UTF-8
    return char


def visible(text: str) -> str:
    """`text` with each character a reader does not see, or that moves the text around it,
    shown as U+FFFD, and line breaks as spaces: what every renderer of untrusted text shows."""
    if text.isprintable() and _INVISIBLE.isdisjoint(text):
        return text
    return "".join(_visible(c) for c in text)


def escape_markdown(text: object) -> str:
    """Make `text` inert in a GitHub comment as GitHub renders it: no formatting, HTML, tables,
    links, @-mentions, issue or commit references (docs.github.com: "Autolinked references and
    URLs"), and no character that hides or reorders text (each shown as U+FFFD). Rendered, it reads
    as written: line breaks become spaces, and only invisible word joiners are added."""
    flat = visible(str(text))
    # Leading spaces would indent a code block (after "- "), two trailing ones break the line;
    # Markdown drops them anyway.
    escaped = _LINE_START.sub(_escape_start, flat.strip(" ").translate(_MARKDOWN_SPECIAL))
    return _LINKABLE.sub(_split, escaped)
