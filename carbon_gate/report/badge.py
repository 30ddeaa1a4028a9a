"""The history badge: the default branch's latest life-cycle CO2eq and its trend, as a flat SVG in
shields.io's style and as a shields.io endpoint's JSON. A budget file without the life cycle's
inputs gives the CO2eq of a thousand inferences instead, labelled so.

The trend compares the latest run with the median of up to `TREND_RUNS` runs before it on the same
hardware (runs on other machines are not comparable at the few-percent level); with none, there is
no trend. The badge does not know the budget's verdict, so it never says green or red: it is blue,
and orange when the latest run is clearly above the runs before it (its whole 95 % interval above
the highest of them), grey without a figure.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from carbon_gate.errors import UsageError
from carbon_gate.history.entries import Entry
from carbon_gate.quantities import Mass
from carbon_gate.readable import format_amount

LABEL = "CO2eq"
# Without the life cycle's inputs in the budget file, the badge shows what is always known.
PER_1000_LABEL = "CO2eq / 1k inferences"
TREND_RUNS = 10
COLOURS = {"blue": "#007ec6", "orange": "#fe7d37", "lightgrey": "#9f9f9f"}  # shields.io's

# Verdana's advance widths at 11px, near enough (the font's units / 2048 × 11), for the characters
# a badge can hold; anything else counts as a wide one. Shields.io sizes its badges by this font.
# Verdana has no arrows: the browser takes them from another font, about as wide as "+".
_VERDANA_11PX = {
    **dict.fromkeys("0123456789", 7.0),
    **dict.fromkeys(".,", 4.0),
    " ": 3.9, "%": 12.1, "↑": 9.2, "↓": 9.2, "→": 9.2, "µ": 7.1, "/": 4.9,
    "C": 7.7, "O": 8.7, "a": 6.7, "c": 5.8, "d": 6.9, "e": 6.6, "f": 3.9, "g": 6.9, "i": 3.0,
    "k": 6.5, "m": 10.7, "n": 7.0, "o": 6.7, "q": 6.9, "r": 4.7, "s": 5.7, "t": 4.3,
}  # fmt: skip
_WIDE = 11.0
_PADDING = 5  # each side of a text, as shields.io's flat badges


@dataclass(frozen=True)
class Message:
    text: str
    colour: str  # a shields.io colour name
    label: str = LABEL


def message(entries: Sequence[Entry], config: str | None = None) -> Message:
    """What the badge says about `entries` (oldest first): "2.41 g ↑ 3.2%", and its colour."""
    runs = _runs(entries, config)
    latest = runs[-1] if runs else None
    key, label = "lifecycle", LABEL
    if latest is not None and latest.stage(key) is None:
        key, label = "inference_per_1000", PER_1000_LABEL
    stage = None if latest is None else latest.stage(key)
    if latest is None or stage is None:
        return Message("no data", "lightgrey")
    figure = stage.co2eq_kg
    text = format_amount(Mass(figure.value))
    before = [
        found.co2eq_kg.value
        for run in runs[:-1]
        if run.hardware.fingerprint == latest.hardware.fingerprint
        and (found := run.stage(key)) is not None
    ][-TREND_RUNS:]
    median = statistics.median(before) if before else 0.0
    if not median:
        return Message(text, "blue", label)
    change = figure.value / median - 1
    arrow = "↑" if change >= 0.0005 else "↓" if change <= -0.0005 else "→"
    colour = "orange" if figure.low > max(before) else "blue"
    return Message(f"{text} {arrow} {abs(change):.1%}", colour, label)


def endpoint(entries: Sequence[Entry], config: str | None = None) -> dict[str, Any]:
    """The shields.io endpoint JSON for `entries` (https://shields.io/badges/endpoint-badge)."""
    said = message(entries, config)
    return {"schemaVersion": 1, "label": said.label, "message": said.text, "color": said.colour}


def svg(entries: Sequence[Entry], config: str | None = None) -> str:
    """The badge for `entries` (oldest first) as a flat SVG, like shields.io's."""
    said = message(entries, config)
    widths = (round(_width(text)) + 2 * _PADDING for text in (said.label, said.text))
    label_width, message_width = widths
    width = label_width + message_width
    title = escape(f"{said.label}: {said.text}")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" '
        f'aria-label="{title}">',
        f"<title>{title}</title>",
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" '
        'stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>',
        f'<clipPath id="r"><rect width="{width}" height="20" rx="3" fill="#fff"/></clipPath>',
        '<g clip-path="url(#r)">',
        f'<rect width="{label_width}" height="20" fill="#555"/>',
        f'<rect x="{label_width}" width="{message_width}" height="20" '
        f'fill="{COLOURS[said.colour]}"/>',
        f'<rect width="{width}" height="20" fill="url(#s)"/>',
        "</g>",
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" '
        'text-rendering="geometricPrecision" font-size="110">',
        *_text(said.label, 0, label_width),
        *_text(said.text, label_width, message_width),
        "</g>",
        "</svg>",
    ]
    return "\n".join(parts) + "\n"


def _text(text: str, left: int, width: int) -> list[str]:
    """`text` centred in [left, left + width], with its shadow, at 10× scale as shields.io does
    (so that a tenth of a pixel can be placed); `textLength` makes another font fit too."""
    centre, length = (left + width / 2) * 10, (width - 2 * _PADDING) * 10
    shown = escape(text)
    return [
        f'<text aria-hidden="true" x="{centre:.0f}" y="150" fill="#010101" fill-opacity=".3" '
        f'transform="scale(.1)" textLength="{length}">{shown}</text>',
        f'<text x="{centre:.0f}" y="140" transform="scale(.1)" textLength="{length}">'
        f"{shown}</text>",
    ]


def _width(text: str) -> float:
    return sum(_VERDANA_11PX.get(char, _WIDE) for char in text)


def _runs(entries: Sequence[Entry], config: str | None) -> list[Entry]:
    """The runs of `config`'s budget file; without one, every run, which must share one."""
    if config is not None:
        return [entry for entry in entries if entry.config == config]
    configs = sorted({entry.config for entry in entries})
    if len(configs) > 1:
        more = f" and {len(configs) - 5} more" if len(configs) > 5 else ""
        named = ", ".join(configs[:5]) + more
        raise UsageError(
            f"the history holds runs of {len(configs)} budget files ({named}): pass --config "
            "with the one the badge is for"
        )
    return list(entries)
