"""What a GitHub Actions step can give back: the job summary, outputs, and annotations."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path

from carbon_gate import output

SUMMARY_LIMIT = 1024 * 1024  # bytes GitHub accepts in one step's summary


def append_summary(env: Mapping[str, str], markdown: str) -> bool:
    """Add `markdown` to the job summary, when running in Actions; True if written."""
    path = env.get("GITHUB_STEP_SUMMARY")
    if not path:
        return False
    data = markdown.rstrip("\n").encode("utf-8") + b"\n"
    if len(data) > SUMMARY_LIMIT:
        note = "\n\n> ✂️ Trimmed to fit the 1 MiB job-summary limit.\n".encode()
        data = data[: SUMMARY_LIMIT - len(note)].decode("utf-8", "ignore").encode() + note
    with Path(path).open("ab") as summary:
        summary.write(data)
    return True


def set_outputs(env: Mapping[str, str], outputs: Mapping[str, str]) -> bool:
    """Write step outputs; every value in the `name<<DELIMITER` form, so any text is safe."""
    path = env.get("GITHUB_OUTPUT")
    if not path:
        return False
    with Path(path).open("a", encoding="utf-8") as file:
        for name, value in outputs.items():
            delimiter = f"carbon_gate_{secrets.token_hex(8)}"
            while delimiter in value:
                delimiter = f"carbon_gate_{secrets.token_hex(8)}"
            file.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    return True


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(
    level: str, message: str, *, file: str = "", line: int = 0, col: int = 0, title: str = ""
) -> str:
    """A workflow command such as `::error file=…,line=…::message`, safely escaped."""
    properties = [
        f"{key}={_escape_property(str(value))}"
        for key, value in (("file", file), ("line", line), ("col", col), ("title", title))
        if value
    ]
    head = f"::{level} {','.join(properties)}" if properties else f"::{level}"
    return f"{head}::{_escape_data(message)}"


def warn(env: Mapping[str, str], message: str) -> None:
    """A warning for the user: on stderr, and as an annotation in Actions."""
    if env.get("GITHUB_ACTIONS") == "true":
        output.result(annotation("warning", message, title="carbon-gate"))
    output.untrusted_message(f"warning: {message}", env)  # it may quote GitHub, or a fork
