"""The schema of the budget file, `carbon-budget.yml`: every section and key, its parser and checks.

The loader (`config`) walks this description, and `json_schema()` turns it into the JSON Schema
shipped for editors (`carbon_gate/schema/carbon-budget.schema.json`).
"""

from __future__ import annotations

import re
from typing import Any

from carbon_gate import units
from carbon_gate.budget.fields import NUMBER_WITH_UNIT, Either, ListOf, Mapping, Scalar, Section
from carbon_gate.lifecycle.assumptions import BOUNDARIES
from carbon_gate.quantities import Energy, Mass
from carbon_gate.units import QuantityError

SCHEMA_VERSION = 1


# --- value parsers and checks --------------------------------------------------------------------


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise QuantityError(f"expected text, got {value!r}", "")
    if not value.strip():
        raise QuantityError("is empty", "write a value or remove the key")
    return value.strip()


def _country(value: Any) -> str:
    if value is False:  # YAML 1.1 reads an unquoted NO (Norway's alpha-2) as false
        raise QuantityError("expected a country code, got false", 'write Norway as "NOR"')
    # Whether the code exists is checked against codecarbon's data, which can suggest the right one.
    return _text(value).upper()


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise QuantityError(f"expected true or false, got {value!r}", "write true or false")
    return value


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise QuantityError(f"expected a whole number, got {value!r}", "")
    return value


def _budget(value: Any) -> Mass | Energy:
    try:
        return units.parse_mass(value)
    except QuantityError as mass_error:
        try:
            return units.parse_energy(value)
        except QuantityError:
            raise QuantityError(
                mass_error.message, 'write a mass of CO2eq ("5 kg", "120 g") or an energy ("3 kWh")'
            ) from None


def _callable(value: Any) -> str:
    text = _text(value)
    if not re.fullmatch(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*", text):
        raise QuantityError(
            f"expected `module:function`, got {text!r}", 'write e.g. "my_model.bench:predict"'
        )
    return text


def _duration(unit_for_plain: str) -> Any:
    return lambda value: units.parse_duration(value, unit_for_plain)


def _amount(value: Any) -> float:
    """The number inside a quantity (joules, kg, seconds, …), or the value itself."""
    for unit in ("joules", "kg", "seconds", "per_second", "g_per_kwh"):
        if hasattr(value, unit):
            return float(getattr(value, unit))
    return float(value)


def positive(value: Any) -> tuple[str, str] | None:
    if _amount(value) <= 0:
        return "must be more than zero", "remove the key if it does not apply"
    return None


def not_negative(value: Any) -> tuple[str, str] | None:
    return ("must not be negative", "write 0 or more") if _amount(value) < 0 else None


def whole(value: float) -> tuple[str, str] | None:
    if value != int(value):
        return "must be a whole number", "round it"
    return None


def at_most_one(value: float) -> tuple[str, str] | None:
    if value > 1:
        return "must be at most 1 (a full training)", 'write e.g. 0.25 or "25 %"'
    return None


def at_most_all(value: float) -> tuple[str, str] | None:
    if value > 1:
        return "must be at most 1 (all of it)", 'write e.g. 0.25 or "25 %"'
    return None


def _unit_name(value: Any) -> str:
    text = _text(value)
    if not re.fullmatch(r"[^\W_][\w ,.'()/-]{0,39}", text):
        raise QuantityError(
            f"expected a short name of words, got {text!r}",
            'write e.g. "request" or "hour of use" (letters, digits, spaces; 40 at most)',
        )
    return text


def _boundary(value: Any) -> str:
    text = _text(value)
    if text not in BOUNDARIES:
        raise QuantityError(
            f"expected inference or lifecycle, got {text!r}",
            "inference: serving the model; lifecycle: search and training spread over the "
            "inferences too",
        )
    return text


def at_least_two(value: int) -> tuple[str, str] | None:
    if value < 2:
        return "must be 2 or more", "the spread of the result needs at least 2 repeats"
    return None


def at_least_one_worker(value: int) -> tuple[str, str] | None:
    if value < 1:
        return "must be 1 or more", "each side needs a worker process"
    return None


def _known_version(value: int) -> tuple[str, str] | None:
    if value != SCHEMA_VERSION:
        return f"must be {SCHEMA_VERSION}", "this carbon-gate reads version 1 files; upgrade it"
    return None


def at_least_one(value: float) -> tuple[str, str] | None:
    if value < 1:
        return "must be 1 or more", "write 1 or more"
    return None


# --- the schema ----------------------------------------------------------------------------------

_NUMBER: dict[str, Any] = {"type": "number"}


def _quantity(
    doc: str, parse: Any, *examples: Any, checks: tuple[Any, ...] = (positive,)
) -> Scalar:
    schema = {"anyOf": [_NUMBER, {"type": "string", "pattern": NUMBER_WITH_UNIT}]}
    return Scalar(parse, doc, {**schema, "examples": list(examples)}, checks)


def _number(doc: str, *examples: Any, checks: tuple[Any, ...] = (positive,)) -> Scalar:
    return Scalar(units.parse_number, doc, {**_NUMBER, "examples": list(examples)}, checks)


def _fraction(doc: str, *examples: Any, checks: tuple[Any, ...] = (positive,)) -> Scalar:
    schema = {"anyOf": [_NUMBER, {"type": "string", "pattern": NUMBER_WITH_UNIT}]}
    return Scalar(units.parse_fraction, doc, {**schema, "examples": list(examples)}, checks)


def _count(doc: str, *examples: Any, checks: tuple[Any, ...] = (positive,)) -> Scalar:
    schema = {"anyOf": [_NUMBER, {"type": "string"}], "examples": list(examples)}
    return Scalar(units.parse_count, doc, schema, checks)


def _string(doc: str, parse: Any, *examples: Any) -> Scalar:
    return Scalar(parse, doc, {"type": "string", "examples": list(examples)})


GRID = Section(
    "Where the electricity comes from: set one of country, cloud, intensity or world_average.",
    {
        "country": _string("ISO 3166-1 alpha-3 code of the grid's country.", _country, "DEU"),
        "cloud": Section(
            "A cloud provider's region (from codecarbon's data).",
            {
                "provider": _string("Cloud provider, e.g. gcp.", _text, "gcp"),
                "region": _string("Region name as the provider spells it.", _text, "europe-west1"),
            },
            required=("provider", "region"),
        ),
        "intensity": _quantity(
            "Your own emission factor (plain number: g CO2eq/kWh).",
            units.parse_intensity,
            "380 g/kWh",
            checks=(not_negative,),
        ),
        "world_average": Scalar(
            _flag, "Use the world-average emission factor (475 g/kWh).", {"type": "boolean"}
        ),
        "pue": _number(
            "Power usage effectiveness of the data centre (default 1.58).",
            1.58,
            checks=(at_least_one,),
        ),
    },
    exclusive=(("country", "cloud", "intensity", "world_average"),),
)


def _hardware(doc: str) -> Section:
    return Section(
        doc + " Give `hardware` (Boavizta's figures) or `total` and `lifespan` (your own).",
        {
            "hardware": _string(
                "A machine in Boavizta's data, as provider/instance or server/archetype: its "
                "embodied emissions (TE, the instance's share of its host) and lifespan (EL). "
                "`carbon-gate hardware` lists them.",
                _text,
                "aws/c5.xlarge",
            ),
            "total": _quantity(
                "TE: embodied emissions of one machine, from its manufacture to its disposal "
                "(plain number: kg CO2eq).",
                units.parse_mass,
                "1200 kg",
            ),
            "lifespan": _quantity(
                "EL: how long the machine is in service (plain number: hours). With `hardware`, "
                "replaces Boavizta's figure.",
                _duration("h"),
                "4 years",
            ),
            "share": _fraction(
                "RR/ToR: the share of the machine reserved for the model, e.g. 2 of its 16 vCPUs "
                "(default 1; Boavizta's cloud instances are already their host's share).",
                0.125,
                checks=(positive, at_most_all),
            ),
            "count": _count("How many such machines (default 1).", 8, checks=(positive,)),
            "utilization": _fraction(
                "The share of the reserved time the model keeps the machine busy (default 1). "
                "Below 1, idle time is allocated too: time reserved = busy time / utilization.",
                0.3,
                checks=(positive, at_most_all),
            ),
        },
        exclusive=(("hardware", "total"),),
        one_of=(("hardware",), ("total", "lifespan")),
    )


LIFECYCLE = Section(
    "The life-cycle assumptions of the seed paper's model.",
    {
        "per_inference": _quantity(
            "Energy of one inference on the benchmark hardware, before PUE (plain number: J). "
            "A measurement replaces it.",
            units.parse_energy,
            "18 mJ",
        ),
        "per_inference_time": _quantity(
            "Busy time of one inference (one sample) on the benchmark hardware, which the "
            "embodied emissions are allocated by (plain number: seconds). A measurement replaces "
            "it.",
            _duration("s"),
            "4 ms",
        ),
        "embodied": Section(
            "The hardware's embodied emissions, allocated by the time each stage keeps it "
            "reserved (SCI: M = TE × TiR/EL × RR/ToR).",
            {
                "inference": _hardware("The hardware that serves the model."),
                "training": _hardware("The hardware that trains the model (and runs the search)."),
            },
        ),
        "hardware_transfer": _fraction(
            "Production energy / benchmark energy, when the benchmark runs on other hardware.", 0.1
        ),
        "training_samples": _count("D: training samples per epoch.", 60000, "1.2M"),
        "epochs": _number("E: training epochs.", 20),
        "overhead_factor": _number(
            "k: energy of training one sample / energy of one inference (default 5).",
            5,
            checks=(at_least_one,),
        ),
        "training_hardware": Section(
            "Training described by its hardware (Patterson et al. 2021) instead of D·E·k.",
            {
                "processors": _count(
                    "Number of processors (GPUs, TPUs, CPUs).", 8, checks=(positive, whole)
                ),
                "hours": _quantity("Training time (plain number: hours).", _duration("h"), "36 h"),
                "watts": _quantity(
                    "Average power per processor (plain number: W).", units.parse_power, "300 W"
                ),
            },
            required=("processors", "hours", "watts"),
        ),
        "search": Section(
            "Model and hyper-parameter search before the final training.",
            {
                "trials": _count(
                    "H: number of trials (0: no search).", 20, checks=(not_negative, whole)
                ),
                "trial_share": _fraction(
                    "Share of a full training that one trial costs (at most 1).",
                    0.25,
                    checks=(positive, at_most_one),
                ),
            },
        ),
        "inferences": Either(
            _count("e: inferences over the model's life in the field.", "1e9", "500M"),
            Section(
                "e as a rate × a lifetime.",
                {
                    "rate": _quantity(
                        "Inferences per time (plain: per day).", units.parse_rate, "10M/day"
                    ),
                    "lifetime": _quantity(
                        "How long the model serves (plain number: days).", _duration("d"), "2 years"
                    ),
                },
                required=("rate", "lifetime"),
            ),
        ),
    },
    exclusive=(("training_hardware", "training_samples"), ("training_hardware", "epochs")),
)

BUDGETS = Section(
    "Limits the gate enforces: CO2eq (plain number: kg) or energy (with a unit, e.g. kWh).",
    {
        "inference_per_1000": _quantity("Per 1,000 inferences.", _budget, "2 g"),
        "inference": _quantity("Inference in the field, over the lifetime.", _budget, "50 kg"),
        "training": _quantity("One training run.", _budget, "5 kg"),
        "search": _quantity("The model search.", _budget, "50 kg"),
        "lifecycle": _quantity("Search + training + inference.", _budget, "100 kg"),
        "embodied": _quantity(
            "The life cycle's embodied emissions (CO2eq only; plain number: kg).",
            units.parse_mass,
            "20 kg",
        ),
        "sci": _quantity(
            "The SCI score per functional unit (CO2eq only; plain number: kg).",
            units.parse_mass,
            "2 mg",
        ),
        "max_increase": _quantity(
            "Largest allowed increase against the pull request's base, in percent.",
            units.parse_percent,
            "5 %",
            checks=(not_negative,),
        ),
        "noise_floor": _quantity(
            "Smallest change between separate runs that can count as real, in percent (default "
            "20): identical code measured twice on a shared runner differs by 8-16 %.",
            units.parse_percent,
            "20 %",
            checks=(not_negative,),
        ),
        "require_comparison": Scalar(
            _flag,
            "Fail the gate when the comparison with the pull request's base was asked for and "
            "could not be made (no budget file or benchmark in the base yet, a base that fails, "
            "another benchmark). Default false: a warning, said first in the report.",
            {"type": "boolean"},
        ),
    },
)

BENCHMARK = Section(
    "How to run one inference of your model (used by `carbon-gate measure`).",
    {
        "callable": _string(
            "`module:function` that runs one inference call.", _callable, "my_model.bench:predict"
        ),
        "setup": _string(
            "`module:function` run once before measuring; its result is passed to the callable.",
            _callable,
            "my_model.bench:setup",
        ),
        "train_step": _string(
            "`module:function` that runs one training step on one batch.",
            _callable,
            "my_model.bench:train_step",
        ),
        "command": _string(
            "A shell command to measure instead of a callable.", _text, "python predict.py"
        ),
        "batch_size": Scalar(
            _integer, "Samples one call processes.", {"type": "integer"}, (positive,)
        ),
        "warmup": _quantity(
            "Time to run before measuring (plain: seconds).",
            _duration("s"),
            "2 s",
            checks=(not_negative,),
        ),
        "duration": _quantity("Time to measure (plain: seconds).", _duration("s"), "10 s"),
        "compare_duration": _quantity(
            "With `check --base-ref`: the most time to spend measuring head and base in "
            "alternating batches (compare_batch each); stops earlier once the change is "
            "clearly beyond or within budgets.max_increase (plain: seconds; default 60 s).",
            _duration("s"),
            "60 s",
        ),
        "compare_batch": _quantity(
            "With `check --base-ref`: each side's batch in a pair, split between the callable "
            "and the train step (plain: seconds; default 0.25 s). Short batches put the two "
            "sides moments apart, so that the machine's changing load hits both alike; a batch "
            "runs at least one call.",
            _duration("s"),
            "0.25 s",
        ),
        "compare_workers": Scalar(
            _integer,
            "With `check --base-ref`: worker processes per side, each with its own copy of the "
            "model, taking the pairs in turn (default 3). Two processes of the same code can "
            "differ a little for good (where their arrays land in memory); several per side "
            "average that out, so that the verdict comes sooner. 1 for a model too large to "
            "hold six times in memory.",
            {"type": "integer", "examples": [3]},
            (at_least_one_worker,),
        ),
        "repeats": Scalar(
            _integer,
            "Number of measured repeats (default 5).",
            {"type": "integer"},
            (at_least_two,),
        ),
        "threads": Scalar(
            _integer,
            "Threads of the numerical libraries (OpenMP, OpenBLAS, MKL) while measuring; on a "
            "shared runner 1 keeps busy neighbours from slowing the benchmark down. Default: "
            "as the libraries choose.",
            {"type": "integer", "examples": [1]},
            (positive,),
        ),
        "parameters": Mapping(
            "Keyword arguments passed to the setup callable, e.g. {width: 256, depth: 3}."
        ),
        "timeout": _quantity("Give up after this long (plain: seconds).", _duration("s"), "5 min"),
        "working_directory": _string("Where to run, relative to the budget file.", _text, "."),
        "python_path": ListOf(
            _string("A directory to import from.", _text, "src"),
            "Directories added to the import path.",
        ),
    },
    exclusive=(("callable", "command"), ("setup", "command"), ("train_step", "command")),
)

SCI = Section(
    "The Software Carbon Intensity (ISO/IEC 21031): (E × I + M) per functional unit R. Needs "
    "lifecycle.embodied.",
    {
        "per": _count(
            "R: inferences (samples) in one functional unit (default 1).",
            1000,
            checks=(positive,),
        ),
        "unit": _string(
            "The functional unit's name (default: inference), as the report says it.",
            _unit_name,
            "request",
        ),
        "boundary": _string(
            "inference (default): serving the model; lifecycle: its search and training "
            "spread over the inferences in the field too.",
            _boundary,
            "inference",
        ),
    },
)

REPORT = Section(
    "The pull-request report of `carbon-gate check`.",
    {
        "template": _string(
            "Your own Jinja2 template for the report, relative to the budget file.",
            _text,
            "ci/carbon-report.md.j2",
        ),
        "id": _string(
            "Tells this gate's comment apart from another gate's in the same repository.",
            _text,
            "gpu-model",
        ),
    },
)

ROOT = Section(
    "carbon-gate budget file (carbon-budget.yml).",
    {
        "version": Scalar(
            _integer, "Version of this file's format.", {"const": SCHEMA_VERSION}, (_known_version,)
        ),
        "grid": GRID,
        "lifecycle": LIFECYCLE,
        "budgets": BUDGETS,
        "sci": SCI,
        "benchmark": BENCHMARK,
        "report": REPORT,
    },
)


def field(path: str) -> Scalar:
    """The spec of one scalar key, e.g. `field("lifecycle.epochs")`; flags parse through it too."""
    spec: Any = ROOT
    for name in path.split("."):
        spec = spec.fields[name]
    spec = spec.scalar if isinstance(spec, Either) else spec
    assert isinstance(spec, Scalar), path
    return spec


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the budget file, generated from the same description the loader uses."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://carbon-gate.invalid/schemas/carbon-budget-v1.json",
        "title": "carbon-gate budget file",
        **ROOT.json_schema(),
    }
