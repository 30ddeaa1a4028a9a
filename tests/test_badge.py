"""The history badge: the latest life-cycle CO2eq, its trend against earlier runs on the same
hardware, as well-formed SVG and as a shields.io endpoint's JSON."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest
from history_fixtures import XEON, entries, entry

from carbon_gate.errors import UsageError
from carbon_gate.history.entries import Entry
from carbon_gate.quantities import Mass
from carbon_gate.readable import format_mass
from carbon_gate.report import badge

SVG = "{http://www.w3.org/2000/svg}"


def runs(*per_sample_j: float, spread: float = 0.01) -> list[Entry]:
    return [entry(i, j, spread=spread) for i, j in enumerate(per_sample_j)]


def lifecycle_text(run: Entry) -> str:
    stage = run.stage("lifecycle")
    assert stage is not None
    return format_mass(Mass(stage.co2eq_kg.value)).removesuffix(" CO2eq")


def test_the_badge_is_well_formed_svg_that_says_the_message() -> None:
    history = runs(100e-6, 100e-6, 110e-6)
    root = ET.fromstring(badge.svg(history))
    assert root.tag == f"{SVG}svg"
    said = badge.message(history).text
    assert root.findtext(f"{SVG}title") == f"CO2eq: {said}"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["CO2eq", "CO2eq", said, said]  # each with its shadow
    # The two halves fill the badge, and each text is laid out within its half.
    label, message, _gloss = root.findall(f"{SVG}g/{SVG}rect")
    assert int(label.get("width", 0)) + int(message.get("width", 0)) == int(root.get("width", 0))
    lengths = [float(t.get("textLength", 0)) / 10 for t in root.iter(f"{SVG}text")]
    assert lengths[0] < int(label.get("width", 0))
    assert lengths[2] < int(message.get("width", 0))


def test_a_longer_message_makes_a_wider_badge() -> None:
    short = ET.fromstring(badge.svg(runs(100e-6)))
    longer = ET.fromstring(badge.svg(runs(100e-6, 110e-6)))
    assert int(longer.get("width", 0)) > int(short.get("width", 0)) + 30


def test_the_endpoint_json_is_what_shields_io_reads() -> None:
    answer = badge.endpoint(runs(100e-6, 100e-6, 100e-6))
    assert set(answer) == {"schemaVersion", "label", "message", "color"}
    assert answer["schemaVersion"] == 1
    assert answer["label"] == "CO2eq"
    assert answer["color"] in {"blue", "orange", "lightgrey"}
    assert all(isinstance(answer[key], str) for key in ("label", "message", "color"))


@pytest.mark.parametrize(
    ("latest", "arrow", "percent"),
    [(110e-6, "↑", "10.0%"), (90e-6, "↓", "10.0%"), (100e-6, "→", "0.0%")],
    ids=["up", "down", "flat"],
)
def test_the_trend_is_against_the_median_of_the_runs_before(
    latest: float, arrow: str, percent: str
) -> None:
    history = runs(80e-6, 100e-6, 100e-6, 130e-6, latest)  # median of the four before: 100
    assert badge.message(history).text == f"{lifecycle_text(history[-1])} {arrow} {percent}"


def test_only_the_last_ten_runs_before_count() -> None:
    history = runs(*[200e-6] * 5, *[100e-6] * 10, 105e-6)
    assert badge.message(history).text.endswith("↑ 5.0%")


def test_only_runs_on_the_same_hardware_count() -> None:
    history = runs(100e-6, 100e-6, 100e-6)
    history += [replace(entry(3 + i, j), hardware=XEON) for i, j in enumerate([150e-6, 120e-6])]
    assert badge.message(history).text.endswith("↓ 20.0%")  # 120 against XEON's 150 alone


def test_no_trend_on_new_hardware() -> None:
    history = entries(21, change_at=20)
    said = badge.message(history)
    assert said.text == lifecycle_text(history[-1])
    assert not re.search("[↑↓→%]", said.text)
    assert said.colour == "blue"


def test_orange_only_when_clearly_above_the_runs_before() -> None:
    assert badge.message(runs(100e-6, 101e-6, 130e-6)).colour == "orange"
    # 4 % up, but its interval reaches below the highest run before: not clear.
    assert badge.message(runs(100e-6, 103e-6, 104e-6, spread=0.02)).colour == "blue"
    assert badge.message(runs(100e-6, 70e-6)).colour == "blue"  # down is not a verdict either


def test_without_a_life_cycle_figure_a_thousand_inferences_or_no_data() -> None:
    history = runs(100e-6, 100e-6, 110e-6)
    history[-1] = replace(history[-1], stages={**history[-1].stages, "lifecycle": None})
    said = badge.message(history)
    assert said.label == "CO2eq / 1k inferences"
    assert said.text.endswith("↑ 10.0%")  # per 1,000 inferences, against the runs before
    assert ET.fromstring(badge.svg(history)).findtext(f"{SVG}title").startswith(said.label)
    assert badge.endpoint(history)["label"] == said.label
    nothing = replace(history[-1], stages={})
    for said in (badge.message([nothing]), badge.message([])):
        assert (said.text, said.colour) == ("no data", "lightgrey")
    assert ET.fromstring(badge.svg([])).findtext(f"{SVG}title") == "CO2eq: no data"


def test_several_budget_files_need_config() -> None:
    history = runs(100e-6, 100e-6) + [replace(run, config="b.yml") for run in runs(50e-6)]
    named = r"2 budget files \(b\.yml, carbon-budget\.yml\).*--config"
    with pytest.raises(UsageError, match=named):
        badge.svg(history)
    assert badge.message(history, "b.yml").text == lifecycle_text(history[-1])
    assert badge.message(history, "carbon-budget.yml").text.endswith("→ 0.0%")
    assert badge.message(history, "missing.yml").text == "no data"
