"""The schema of the budget file, `carbon-budget.yml`: every section and key, its parser and checks.

The loader (`config`) walks this description, and `json_schema()` turns it into the JSON Schema
shipped for editors (`carbon_gate/schema/carbon-budget.schema.json`).
"""

from __future__ import annotations

from typing import Any

from carbon_gate import units
from carbon_gate.budget.fields import (
    NUMBER_WITH_UNIT,
    Each,
    Either,
    ListOf,
    Mapping,
    Scalar,
    Section,
)
from carbon_gate.budget.values import (
    LABEL,
    SCHEMA_VERSION,
    at_least_one,
    at_least_one_worker,
    at_least_two,
    at_most_all,
    at_most_one,
    boundary,
    budget_limit,
    country,
    duration,
    flag,
    integer,
    known_version,
    module_function,
    not_negative,
    plain_text,
    positive,
    unit_name,
    whole,
)

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
        "country": _string("ISO 3166-1 alpha-3 code of the grid's country.", country, "DEU"),
        "cloud": Section(
            "A cloud provider's region (from codecarbon's data).",
            {
                "provider": _string("Cloud provider, e.g. gcp.", plain_text, "gcp"),
                "region": _string(
                    "Region name as the provider spells it.", plain_text, "europe-west1"
                ),
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
            flag, "Use the world-average emission factor (475 g/kWh).", {"type": "boolean"}
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
                plain_text,
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
                duration("h"),
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
            duration("s"),
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
                "hours": _quantity("Training time (plain number: hours).", duration("h"), "36 h"),
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
                        "How long the model serves (plain number: days).", duration("d"), "2 years"
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
        "inference_per_1000": _quantity("Per 1,000 inferences.", budget_limit, "2 g"),
        "inference": _quantity("Inference in the field, over the lifetime.", budget_limit, "50 kg"),
        "training": _quantity("One training run.", budget_limit, "5 kg"),
        "search": _quantity("The model search.", budget_limit, "50 kg"),
        "lifecycle": _quantity("Search + training + inference.", budget_limit, "100 kg"),
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
            flag,
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
            "`module:function` that runs one inference call.",
            module_function,
            "my_model.bench:predict",
        ),
        "setup": _string(
            "`module:function` run once before measuring; its result is passed to the callable.",
            module_function,
            "my_model.bench:setup",
        ),
        "train_step": _string(
            "`module:function` that runs one training step on one batch.",
            module_function,
            "my_model.bench:train_step",
        ),
        "command": _string(
            "A shell command to measure instead of a callable.", plain_text, "python predict.py"
        ),
        "batch_size": Scalar(
            integer, "Samples one call processes.", {"type": "integer"}, (positive,)
        ),
        "warmup": _quantity(
            "Time to run before measuring (plain: seconds).",
            duration("s"),
            "2 s",
            checks=(not_negative,),
        ),
        "duration": _quantity("Time to measure (plain: seconds).", duration("s"), "10 s"),
        "compare_duration": _quantity(
            "With `check --base-ref`: the most time to spend measuring head and base in "
            "alternating batches (compare_batch each); stops earlier once the change is "
            "clearly beyond or within budgets.max_increase (plain: seconds; default 60 s).",
            duration("s"),
            "60 s",
        ),
        "compare_batch": _quantity(
            "With `check --base-ref`: each side's batch in a pair, split between the callable "
            "and the train step (plain: seconds; default 0.25 s). Short batches put the two "
            "sides moments apart, so that the machine's changing load hits both alike; a batch "
            "runs at least one call.",
            duration("s"),
            "0.25 s",
        ),
        "compare_workers": Scalar(
            integer,
            "With `check --base-ref`: worker processes per side, each with its own copy of the "
            "model, taking the pairs in turn (default 3). Two processes of the same code can "
            "differ a little for good (where their arrays land in memory); several per side "
            "average that out, so that the verdict comes sooner. 1 for a model too large to "
            "hold six times in memory.",
            {"type": "integer", "examples": [3]},
            (at_least_one_worker,),
        ),
        "repeats": Scalar(
            integer,
            "Number of measured repeats (default 5).",
            {"type": "integer"},
            (at_least_two,),
        ),
        "threads": Scalar(
            integer,
            "Threads of the numerical libraries (OpenMP, OpenBLAS, MKL) while measuring; on a "
            "shared runner 1 keeps busy neighbours from slowing the benchmark down. Default: "
            "as the libraries choose.",
            {"type": "integer", "examples": [1]},
            (positive,),
        ),
        "parameters": Mapping(
            "Keyword arguments passed to the setup callable, e.g. {width: 256, depth: 3}."
        ),
        "timeout": _quantity("Give up after this long (plain: seconds).", duration("s"), "5 min"),
        "working_directory": _string("Where to run, relative to the budget file.", plain_text, "."),
        "python_path": ListOf(
            _string("A directory to import from.", plain_text, "src"),
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
            unit_name,
            "request",
        ),
        "boundary": _string(
            "inference (default): serving the model; lifecycle: its search and training "
            "spread over the inferences in the field too.",
            boundary,
            "inference",
        ),
    },
)

RUNNERS = Each(
    Section(
        "Settings for legs measured on this kind of runner (`check --runner LABEL`).",
        {"budgets": BUDGETS},
    ),
    "Budgets by the kind of runner a leg measures on (`check --runner LABEL`), e.g. {gpu: "
    "{budgets: {inference_per_1000: 5 mg}}}: each key replaces the file's own budget of that name "
    "for legs on that runner; the others apply as they are.",
    LABEL,
    "a runner's label: letters, digits, spaces and ._/@+- (80 at most), e.g. gpu",
)

REPORT = Section(
    "The pull-request report of `carbon-gate check`.",
    {
        "template": _string(
            "Your own Jinja2 template for the report, relative to the budget file.",
            plain_text,
            "ci/carbon-report.md.j2",
        ),
        "id": _string(
            "Tells this gate's comment apart from another gate's in the same repository.",
            plain_text,
            "gpu-model",
        ),
    },
)

ROOT = Section(
    "carbon-gate budget file (carbon-budget.yml).",
    {
        "version": Scalar(
            integer, "Version of this file's format.", {"const": SCHEMA_VERSION}, (known_version,)
        ),
        "grid": GRID,
        "lifecycle": LIFECYCLE,
        "budgets": BUDGETS,
        "sci": SCI,
        "runners": RUNNERS,
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
