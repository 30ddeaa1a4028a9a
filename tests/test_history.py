"""The history branch (`history record`, `history.branch`) against real git repositories and a real
bare remote in tmp_path: entries land, races lose nothing, foreign and corrupt content is refused
by name with nothing overwritten, and the figures are the trusted recomputation."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from gate_fixtures import LIFECYCLE_YAML, results_document
from git_repo import commit, commit_tree, git, make_tree
from history_fixtures import entry as fixture_entry

from carbon_gate.budget import config
from carbon_gate.budget.values import TEXT_LIMIT
from carbon_gate.cli.main import cli, main
from carbon_gate.errors import UsageError
from carbon_gate.gate import trusted
from carbon_gate.history import branch, entries, gitrun, reader
from carbon_gate.lifecycle import grid
from carbon_gate.results.reader import parse

BUDGET = "grid: {country: FRA}\n" + LIFECYCLE_YAML


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    return bare


def clone(remote: Path, folder: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(remote), str(folder)], check=True)
    return folder


@pytest.fixture
def work(tmp_path: Path, remote: Path) -> Path:
    """A repository with one commit on main, pushed to `remote`, and a results file in it."""
    repo = tmp_path / "work"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    (repo / "carbon-budget.yml").write_text(BUDGET, encoding="utf-8")
    (repo / ".gitignore").write_text("carbon-gate-*.json\n", encoding="utf-8")
    commit(repo, "model")
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "origin", "main")
    write_results(repo / "carbon-gate-results.json")
    return repo


def write_results(path: Path, per_sample_j: float = 0.01, **changes: Any) -> None:
    document = results_document(per_sample_j)
    document.update(changes)
    path.write_text(json.dumps(document), encoding="utf-8")


def record(repo: Path, *args: str) -> int:
    os.chdir(repo)
    return main(["history", "record", *args])


def remote_entries(remote: Path) -> list[entries.Entry]:
    return reader.read_ref(remote, "refs/heads/carbon-gate-history")


def test_a_run_lands_on_a_new_branch_and_the_checkout_is_untouched(
    work: Path, remote: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    head, status = git(work, "rev-parse", "HEAD"), git(work, "status", "--porcelain")
    assert record(work, "--runner", "ubuntu-latest") == 0
    [landed] = remote_entries(remote)
    assert landed.commit == head
    assert landed.config == "carbon-budget.yml"
    assert landed.hardware.cpu_model == "Test CPU"
    assert landed.hardware.runner == ("ubuntu-latest",)
    files = git(remote, "ls-tree", "-r", "--name-only", "carbon-gate-history").splitlines()
    assert files[:2] == ["README.md", reader.MARKER]
    assert files[2].startswith("runs/2")
    assert files[2].endswith(".json")
    # The checkout it ran in: same HEAD, same branch, nothing staged or changed.
    assert git(work, "rev-parse", "HEAD") == head
    assert git(work, "status", "--porcelain") == status
    assert git(work, "symbolic-ref", "HEAD") == "refs/heads/main"
    said = capsys.readouterr().err
    assert f"recorded {head[:12]} in origin/carbon-gate-history" in said
    assert "life cycle: " in said


def test_the_figures_are_computed_again_never_taken_from_the_file(
    work: Path, remote: Path, grid_data: grid.GridData
) -> None:
    results = work / "carbon-gate-results.json"
    document = json.loads(results.read_text())
    document["estimate"]["stages"] = {"lifecycle": {"co2eq_kg": 1e-9}}  # a fork's claim
    document["summary"]["per_sample"]["mean_j"] = 1e-9
    results.write_text(json.dumps(document))
    assert record(work) == 0
    [landed] = remote_entries(remote)
    loaded = config.load(work / "carbon-budget.yml", grid_data)
    content = parse(document, "r")
    _, measured = trusted.measured_in(content, "r")
    expected, _ = trusted.estimated(loaded, grid_data, measured)
    lifecycle = landed.stage("lifecycle")
    assert lifecycle is not None
    assert expected.stages["lifecycle"] is not None
    assert lifecycle.co2eq_kg.value == pytest.approx(expected.stages["lifecycle"].co2eq.kg)
    assert lifecycle.co2eq_kg.low < lifecycle.co2eq_kg.value < lifecycle.co2eq_kg.high
    assert landed.per_sample_j.value == pytest.approx(0.01)


def test_entries_append_in_order_and_read_back_whole(work: Path, remote: Path) -> None:
    for per_sample in (0.01, 0.012, 0.011):
        write_results(work / "carbon-gate-results.json", per_sample)
        assert record(work) == 0
    landed = remote_entries(remote)
    assert [round(e.per_sample_j.value, 4) for e in landed] == [0.01, 0.012, 0.011]
    assert git(remote, "rev-list", "--count", "carbon-gate-history") == "3"
    # Each run's commit adds its one file and changes nothing else.
    changed = git(remote, "diff", "--name-status", "carbon-gate-history~1", "carbon-gate-history")
    assert len(changed.splitlines()) == 1
    assert changed.startswith("A\truns/")


def other_pushes_first(monkeypatch: pytest.MonkeyPatch, other: Path) -> None:
    """The next append fetches the tip, then `other` (a clone) appends and pushes before it."""
    real_fetch = branch.fetch
    raced: list[bool] = []

    def fetch_then_lose(repository: Path, remote_name: str, name: str) -> str | None:
        tip = real_fetch(repository, remote_name, name)
        if not raced:
            raced.append(True)  # before: the other writer's append fetches through here too
            branch.append(other, fixture_entry(1, 0.02), remote=remote_name)
        return tip

    monkeypatch.setattr(branch, "fetch", fetch_then_lose)


def test_a_writer_that_lost_the_race_adds_its_entry_on_the_new_tip(
    work: Path, remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fetches the tip; B pushes; A's push is refused (not a fast-forward) and tried again."""
    other = clone(remote, tmp_path / "other")
    assert record(work) == 0  # the branch exists
    other_pushes_first(monkeypatch, other)
    appended = branch.append(work, fixture_entry(2, 0.03))
    assert appended.attempts == 2
    landed = remote_entries(remote)
    assert len(landed) == 3
    assert {e.per_sample_j.value for e in landed} >= {0.02, 0.03}


def test_two_writers_creating_the_branch_at_once_both_land(
    work: Path, remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = clone(remote, tmp_path / "other")
    other_pushes_first(monkeypatch, other)
    appended = branch.append(work, fixture_entry(2, 0.03))
    assert appended.attempts == 2  # its first commit had no parent: refused, then added on top
    assert len(remote_entries(remote)) == 2
    assert git(remote, "rev-list", "--max-parents=0", "carbon-gate-history").count("\n") == 0


def test_writers_in_parallel_processes_lose_no_entry(remote: Path, tmp_path: Path) -> None:
    """Four real processes, each appending three entries from a clone of its own, at once."""
    script = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[3]);"
        "from history_fixtures import entry; from carbon_gate.history import branch;"
        "[branch.append(Path(sys.argv[1]), entry(int(sys.argv[2]) * 10 + i, 0.01 + i), "
        "sleep=0.05) for i in range(3)]"
    )
    tests = str(Path(__file__).parent)
    clones = [clone(remote, tmp_path / f"writer{n}") for n in range(4)]
    processes = [
        subprocess.Popen([sys.executable, "-c", script, str(repo), str(n), tests])
        for n, repo in enumerate(clones)
    ]
    assert [p.wait(timeout=120) for p in processes] == [0, 0, 0, 0]
    landed = remote_entries(remote)
    assert sorted(e.commit for e in landed) == sorted(
        fixture_entry(n * 10 + i, 0.01).commit for n in range(4) for i in range(3)
    )


def test_a_branch_that_is_not_the_history_is_refused_and_left_as_it_was(
    work: Path, remote: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(work, "push", "-q", "origin", "main:refs/heads/carbon-gate-history")
    before = git(remote, "rev-parse", "carbon-gate-history")
    assert record(work) == 2
    said = capsys.readouterr().err
    assert "origin/carbon-gate-history is not carbon-gate's history" in said
    assert "nothing was written" in said
    assert git(remote, "rev-parse", "carbon-gate-history") == before
    assert record(work, "--branch", "carbon-history") == 0  # another name is fine


def _push_history_file(remote: Path, tmp_path: Path, name: str, content: bytes) -> None:
    """Add a file to the remote's history branch by hand, as someone with write access could."""
    hand = clone(remote, tmp_path / "by-hand")
    git(hand, "checkout", "-q", "carbon-gate-history")
    target = hand / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    commit(hand, "by hand")
    git(hand, "push", "-q", "origin", "carbon-gate-history")


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("runs/2026/12/x.json", b"{not json", "runs/2026/12/x.json: not a readable JSON file"),
        ("runs/2026/12/x.txt", b"hello", "runs/2026/12/x.txt: not a history entry"),
        ("runs/2026/12/x.json", b'{"format": "other"}', "not a carbon-gate history entry"),
        ("runs/2026/12/x.json", b"x" * 300_000, "larger than 262144 bytes"),
    ],
)
def test_a_corrupt_or_foreign_entry_is_refused_by_name(
    work: Path,
    remote: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    *,
    name: str,
    content: bytes,
    said: str,
) -> None:
    assert record(work) == 0
    _push_history_file(remote, tmp_path, name, content)
    before = git(remote, "rev-parse", "carbon-gate-history")
    with pytest.raises(UsageError, match="carbon-gate-history:" + name.replace(".", r"\.")):
        remote_entries(remote)
    capsys.readouterr()
    assert main(["history", "html", "--output", str(tmp_path / "site")]) == 2
    assert said in capsys.readouterr().err
    assert not (tmp_path / "site" / "index.html").exists()
    assert git(remote, "rev-parse", "carbon-gate-history") == before


def test_an_entry_with_a_wrong_value_names_the_key(work: Path) -> None:
    document = fixture_entry(1, 0.01).as_json()
    document["stages"]["lifecycle"]["co2eq_kg"]["ci95"] = [1.0, "2"]
    with pytest.raises(
        UsageError, match=r"e\.json: stages\.lifecycle\.co2eq_kg\.ci95: not a number"
    ):
        entries.parse(document, "e.json")
    document = fixture_entry(1, 0.01).as_json()
    document["stages"]["inference"]["co2eq_kg"]["value"] = 10.0  # outside its interval
    with pytest.raises(UsageError, match=r"stages\.inference\.co2eq_kg\.ci95: .* does not hold"):
        entries.parse(document, "e.json")
    document = fixture_entry(1, 0.01).as_json()
    document["commit"] = "HEAD"
    with pytest.raises(UsageError, match="commit: not a commit's full hex name"):
        entries.parse(document, "e.json")
    document = fixture_entry(1, 0.01).as_json()
    document["version"] = 2
    with pytest.raises(UsageError, match="version 2; this carbon-gate reads version 1"):
        entries.parse(document, "e.json")


def test_an_entry_reads_back_as_written() -> None:
    written = fixture_entry(3, 0.02)
    assert entries.parse(json.loads(json.dumps(written.as_json())), "e") == written
    # A machine without a GPU: codecarbon says 0 GPUs (found by the act run of init's workflow).
    no_gpu = replace(written, hardware=replace(written.hardware, gpu_count=0))
    assert entries.parse(no_gpu.as_json(), "e") == no_gpu


def test_an_entry_that_would_not_read_back_is_not_pushed(work: Path, remote: Path) -> None:
    written = fixture_entry(3, 0.02)
    broken = replace(written, hardware=replace(written.hardware, runner=("x" * (TEXT_LIMIT + 1),)))
    with pytest.raises(UsageError, match=r"hardware\.runner"):
        branch.append(work, broken)
    assert git(remote, "branch", "--list", "carbon-gate-history") == ""


LONG_COMMAND = "python benchmarks/srv.py " + " ".join(f"--option-{i}=value" for i in range(12))
LONG_CPU = "Intel(R) Xeon(R) " + "Platinum 8370C CPU @ 2.80GHz " * 6 + "(" + "x" * 8 + ")"


def test_what_a_results_file_may_hold_is_recorded_and_read_back(work: Path, remote: Path) -> None:
    """A 230-character command and a 201-character CPU model: the results file's reader takes
    them, so `history record` records them and the history's reader reads them back."""
    assert (len(LONG_COMMAND), len(LONG_CPU)) == (230, 201)
    document = results_document(0.01, cpu_model=LONG_CPU)
    document["benchmark"] = {"command": LONG_COMMAND, "batch_size": 1}
    (work / "carbon-gate-results.json").write_text(json.dumps(document), encoding="utf-8")
    assert record(work, "--runner", "r" * 230) == 0
    [landed] = remote_entries(remote)
    assert (landed.benchmark, landed.hardware.cpu_model) == (LONG_COMMAND, LONG_CPU)
    assert landed.hardware.runner == ("r" * 230,)


@pytest.mark.parametrize(
    ("where", "value", "said"),
    [
        ("benchmark.command", "x" * 1_001, "benchmark.command: a text of more than 1,000"),
        ("benchmark.callable", "m:" + "f" * 999, "benchmark.callable: a text of more than 1,000"),
        ("benchmark.command", ["python", "-m", "x"], "benchmark.command: not a text"),
        ("environment.cpu_model", "c" * 1_001, "environment.cpu_model: a text of more than"),
        ("environment.gpu_model", "\ud800", "environment.gpu_model: not a text in UTF-8"),
        ("environment.cpu_count", 10**6, "environment.cpu_count: not a whole number from 0"),
    ],
    ids=["command", "callable", "command-list", "cpu-model", "lone-surrogate", "cpu-count"],
)
def test_a_results_file_beyond_the_limits_is_refused_when_read(
    work: Path,
    remote: Path,
    capsys: pytest.CaptureFixture[str],
    *,
    where: str,
    value: Any,
    said: str,
) -> None:
    """Refused when the results file is read, naming the field, not when the entry is pushed."""
    document = results_document(0.01)
    section, key = where.split(".")
    document[section][key] = value
    with pytest.raises(UsageError, match=re.escape(f"results.json: {said}")):
        parse(document, "results.json")
    (work / "carbon-gate-results.json").write_text(json.dumps(document), encoding="utf-8")
    assert record(work) == 2
    assert f"carbon-gate-results.json: {said}" in capsys.readouterr().err
    assert git(remote, "branch", "--list", "carbon-gate-history") == ""


def test_the_largest_entry_the_limits_allow_is_read_back() -> None:
    """Every text at the limit, in the characters JSON writes longest (a control character's
    \\u escape), still fits the size the history's reader takes for an entry."""
    worst = "\x01" * TEXT_LIMIT
    written = fixture_entry(1, 0.01)
    hardware = replace(
        written.hardware, cpu_model=worst, gpu_model=worst, tracking_mode=worst,
        energy_kind=worst, runner=(worst,) * entries.RUNNER_LABELS, cpu_count=999_999,
    )  # fmt: skip
    largest = replace(written, config=worst, benchmark=worst, location=worst, hardware=hardware)
    content = json.dumps(largest.as_json(), indent=1, ensure_ascii=False) + "\n"
    assert len(content.encode()) <= reader.ENTRY_LIMIT
    assert entries.parse(json.loads(content), "e") == largest


def test_a_refusal_that_is_not_a_race_is_said_and_not_retried(
    work: Path, remote: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'protected branch' >&2\nexit 1\n")
    hook.chmod(0o755)
    assert record(work) == 3
    said = capsys.readouterr().err
    assert "origin refused the push to carbon-gate-history" in said
    assert "Traceback" not in said


def test_credentials_in_a_remote_address_are_not_repeated() -> None:
    said = gitrun.redacted(
        "fatal: unable to access 'https://x-access-token:ghs_abc@github.com/o/r/'"
    )
    assert "ghs_abc" not in said
    assert "https://***@github.com/o/r/" in said


def test_no_git_identity_is_needed(
    work: Path, remote: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CI runner has no user.name: the history's commits are carbon-gate's own."""
    home = work.parent / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    assert record(work) == 0
    assert git(remote, "log", "-1", "--format=%an <%ae>", "carbon-gate-history") == (
        "carbon-gate <carbon-gate@users.noreply.github.com>"
    )


def test_the_runner_and_the_commit_come_from_actions_variables(
    work: Path, remote: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sha = git(work, "rev-parse", "HEAD")
    monkeypatch.setenv("GITHUB_SHA", sha)
    monkeypatch.setenv("RUNNER_OS", "Linux")
    monkeypatch.setenv("RUNNER_ARCH", "X64")
    monkeypatch.setenv("RUNNER_ENVIRONMENT", "github-hosted")
    assert record(work) == 0
    [landed] = remote_entries(remote)
    assert landed.commit == sha
    assert landed.hardware.runner == ("Linux", "X64", "github-hosted")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--branch", "-x"], "not a branch name"),
        (["--commit", "no-such-thing"], "--commit 'no-such-thing': no such commit"),
        (["--results", "missing.json"], "missing.json: no such file"),
    ],
)
def test_bad_flags_are_usage_errors(
    work: Path, capsys: pytest.CaptureFixture[str], args: list[str], said: str
) -> None:
    assert record(work, *args) == 2
    assert said in capsys.readouterr().err


def test_outside_a_repository_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "carbon-budget.yml").write_text(BUDGET)
    write_results(outside / "carbon-gate-results.json")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    assert record(outside) == 2
    assert "not in a git repository" in capsys.readouterr().err


def test_too_noisy_a_run_is_not_recorded(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = results_document(0.01)
    for batch, factor in zip(document["repeats"]["inference"], (1, 1, 1, 1, 100), strict=True):
        batch["energy_j"] *= factor  # one stall among five repeats
    (work / "carbon-gate-results.json").write_text(json.dumps(document))
    assert record(work) == 2
    assert "interval reaches zero" in capsys.readouterr().err


def test_a_folder_checkout_reads_like_the_ref(work: Path, remote: Path, tmp_path: Path) -> None:
    for per_sample in (0.01, 0.02):
        write_results(work / "carbon-gate-results.json", per_sample)
        assert record(work) == 0
    checkout = clone(remote, tmp_path / "checkout")
    git(checkout, "checkout", "-q", "carbon-gate-history")
    assert reader.read(tmp_path, str(checkout)) == remote_entries(remote)
    with pytest.raises(UsageError, match="not a checkout of the history"):
        reader.read(tmp_path, str(work))


def test_many_entries_read_back_in_order(work: Path, tmp_path: Path) -> None:
    """Entries written in one commit (as the scale benchmark builds 10,000) read back sorted."""
    written = [fixture_entry(i, 0.01 + i / 1e4) for i in range(300)]
    files = {
        branch.entry_path(e, f"{i:08x}"): json.dumps(e.as_json()) for i, e in enumerate(written)
    }
    tip = branch._commit(work, None, files, "many")
    assert reader.read_ref(work, tip) == written


# --- hostile histories: what someone with push access could put on the branch -----------------


def hostile_ref(repo: Path, files: dict[bytes, bytes], marker: bytes | None = None) -> str:
    """A commit in `repo` whose tree holds `files` and the marker (carbon-gate's, unless given),
    as a push could bring it."""
    marker = marker or b'{"format": "carbon-gate/history", "version": 1}'
    return commit_tree(repo, {reader.MARKER.encode(): marker, **files})


GOOD = json.dumps(fixture_entry(1, 0.01).as_json()).encode()


@pytest.mark.parametrize(
    ("files", "marker", "said"),
    [
        ({b"runs/2026/01/\xff\xfe.json": GOOD}, None, "a name not in UTF-8"),
        ({}, b'{"format": "carbon-gate/history", "version": 1\xff}', "not \"format\""),
        ({}, b"[" * 30_000 + b"]" * 30_000, 'not "format"'),  # deep, and small
        ({}, b"[" * 300_000, "not a small file"),
        ({}, b'{"format": "carbon-gate/history", "version": true}', "history version True"),
        ({b"runs/2026/01/big.json": b" " * 300_000}, None, "larger than 262144 bytes"),
        ({b"runs/x.json": GOOD}, None, "entries are runs/YYYY/MM/NAME.json"),
        ({b"runs/2026/01/a/b.json": GOOD}, None, "entries are runs/YYYY/MM/NAME.json"),
        ({b"runs/2026/01/x.json": GOOD.replace(b'"2026-01-02T', b'"2026-02-30T')}, None,
         "recorded: not a UTC time: 2026-12-02T08:00:00Z (no such date or time)"),
    ],
)  # fmt: skip
def test_a_hostile_history_is_refused_by_name_never_a_crash(
    work: Path,
    capsys: pytest.CaptureFixture[str],
    *,
    files: dict[bytes, bytes],
    marker: bytes | None,
    said: str,
) -> None:
    ref = hostile_ref(work, files, marker)
    with pytest.raises(UsageError, match=re.escape(said)):
        reader.read_ref(work, ref)
    os.chdir(work)
    assert main(["history", "html", "--from", ref, "--output", "site"]) == 2  # never 3
    assert said in capsys.readouterr().err
    assert not (work / "site").exists()


def acting_lines(log: str) -> list[str]:
    """The lines of `log` that GitHub Actions would run as workflow commands: those that start
    with `::` (after blanks), except inside a stop-commands block whose token is unguessable.
    Every line break Python knows ends a line here, U+2028 and a lone CR included."""
    acting, token = [], None
    for line in (line.lstrip() for line in log.splitlines()):
        if token is not None:
            token = None if line == f"::{token}::" else token
        elif line.startswith("::stop-commands::"):
            token = line.removeprefix("::stop-commands::")
            assert re.fullmatch(r"[0-9a-f]{32,}", token), f"a guessable token: {line!r}"
        elif line.startswith("::"):
            acting.append(line)
    assert token is None, "a stop-commands block left open"
    return acting


@pytest.mark.parametrize(
    "name",
    [
        b"runs/2026/01/x\n::error::forged.json",
        b"runs/2026/01/x\r::add-mask::secret.json",
        "runs/2026/01/x\u2028::set-output name=status::pass.json".encode(),
        b"runs/2026/01/x\n::stop-commands::open\n::warning::forged.json",
    ],
    ids=["newline", "carriage-return", "line-separator", "stop-commands"],
)
def test_an_entry_name_issues_no_workflow_command(work: Path, name: bytes) -> None:
    """A name on the branch is the pusher's choice; the refusal that quotes it is inert."""
    ref = hostile_ref(work, {name: GOOD})
    os.chdir(work)
    args = ["history", "html", "--from", ref, "--output", "site"]
    result = CliRunner().invoke(cli, args, env={"GITHUB_ACTIONS": "true"})
    assert result.exit_code == 2, result.output
    assert "not a history entry" in result.output
    assert acting_lines(result.output) == []
    # Shown on one line, its line breaks escaped, wherever the log is read.
    [said] = [line for line in result.output.splitlines() if "not a history entry" in line]
    assert said.startswith(f"error: {ref}:runs/2026/01/x\\")


# Run in a process of its own, with its memory capped (so that reading too much fails there, not
# here) and its peak reported.
# The peak from /proc/self/status (VmHWM: this process's own memory since its exec), not
# getrusage's ru_maxrss: Linux keeps that across exec, so a process that a large one (pytest,
# late in a long run) started reads its parent's size.
_MEASURED = """
import re, resource, sys
cap = 1 << 30
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
from carbon_gate.cli.main import main
code = main(sys.argv[1:])
with open("/proc/self/status") as status:
    print("peak-kib", re.search(r"VmHWM:\\s+(\\d+) kB", status.read()).group(1))
sys.exit(code)
"""


def measured_cli(repo: Path, *args: str) -> tuple[int, str, int]:
    """`carbon-gate ARGS` in `repo`, in a process whose address space is capped at 1 GiB: its
    exit code, what it printed on stderr, and its peak memory in KiB."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, *args], cwd=repo, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    peak = re.search(r"peak-kib (\d+)", done.stdout)
    return done.returncode, done.stderr, int(peak.group(1)) if peak else -1


def test_a_history_too_large_in_all_is_refused_before_it_is_read(work: Path) -> None:
    """4,000 names for one 64 KiB blob: a push of a few kilobytes (git keeps the blob once),
    262 MB to read; each name alone is a well-formed entry."""
    padded = GOOD + b" " * (64 * 1024 - len(GOOD))
    files = {f"runs/2026/01/{i:05d}.json".encode(): padded for i in range(4_000)}
    ref = hostile_ref(work, files)
    code, said, peak_kib = measured_cli(work, "history", "html", "--from", ref, "--output", "x")
    assert code == 2, said
    assert f"error: {ref}: its entries hold more than 200 MB" in said
    assert "remove old runs" in said
    assert 0 < peak_kib < 150 * 1024  # well under the 262 MB the names point at
    assert not (work / "x").exists()


def test_a_tree_of_millions_of_names_is_refused_without_listing_them_all(work: Path) -> None:
    """A few small trees, each naming the one below many times, spell 10⁸ entry paths: git lists
    them at its pace and the reader stops past the most a history holds."""
    blob = git(work, "rev-parse", "HEAD:carbon-budget.yml")
    month = make_tree(work, [("100644", blob, f"{i:04d}.json") for i in range(1_000)])
    year = make_tree(work, [("040000", month, f"{m:02d}") for m in range(100)])
    runs = make_tree(work, [("040000", year, f"{y:04d}") for y in range(1_000)])
    marker = git(work, "rev-parse", f"{hostile_ref(work, {})}:{reader.MARKER}")
    root = make_tree(work, [("100644", marker, reader.MARKER), ("040000", runs, "runs")])
    ref = git(work, "-c", "user.name=t", "-c", "user.email=t@t", "commit-tree", root, "-m", "x")
    code, said, peak_kib = measured_cli(work, "history", "html", "--from", ref, "--output", "x")
    assert code == 2, said
    assert f"more than {reader.MAX_ENTRIES:,} entries" in said
    assert 0 < peak_kib < 150 * 1024


def test_a_checkout_does_not_follow_links_or_walk_deep(work: Path, tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    (checkout / "runs").mkdir(parents=True)
    (checkout / reader.MARKER).write_text('{"format": "carbon-gate/history", "version": 1}')
    (checkout / "runs").rmdir()
    (checkout / "runs").symlink_to("/")
    with pytest.raises(UsageError, match=r"checkout:runs: a link"):
        reader.read(work, str(checkout))
    (checkout / "runs").unlink()
    deep = checkout / "runs" / "2026" / "01"
    deep.mkdir(parents=True)
    (deep / "x.json").symlink_to("/etc/passwd")
    with pytest.raises(UsageError, match=r"runs/2026/01/x\.json: not a history entry file"):
        reader.read(work, str(checkout))
    (deep / "x.json").unlink()
    nested = deep
    for _ in range(100):  # the reader looks three levels down, no deeper
        nested = nested / "a"
        nested.mkdir()
    with pytest.raises(UsageError, match="not a history entry"):
        reader.read(work, str(checkout))


def test_a_ref_goes_before_a_folder_of_the_same_name(work: Path, remote: Path) -> None:
    """A pull request's checkout could hold a folder named like the history's ref."""
    assert record(work) == 0
    git(
        work, "fetch", "-q", "origin", "carbon-gate-history:refs/remotes/origin/carbon-gate-history"
    )
    fake = work / "origin" / "carbon-gate-history"
    (fake / "runs" / "2026" / "01").mkdir(parents=True)
    (fake / reader.MARKER).write_text('{"format": "carbon-gate/history", "version": 1}')
    forged = replace(fixture_entry(1, 99.0), config="carbon-budget.yml")
    (fake / "runs" / "2026" / "01" / "x.json").write_text(json.dumps(forged.as_json()))
    [run] = reader.read(work, "origin/carbon-gate-history")
    assert run.per_sample_j.value == pytest.approx(0.01)


def test_a_token_in_the_remote_address_is_never_printed(
    work: Path, remote: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    address = "https://x-access-token:ghs_SECRET123@github.example/o/r.git"
    git(work, "config", f"url.{remote}.insteadOf", address)
    assert record(work, "--remote", address) == 0
    git(work, "push", "-q", address, "main:refs/heads/carbon-gate-history", "--force")
    assert record(work, "--remote", address) == 2  # not the history any more
    said = capsys.readouterr().err
    assert "ghs_SECRET123" not in said
    assert "https://***@github.example/o/r.git" in said


def test_another_branch_ending_in_the_name_is_not_the_history(work: Path, remote: Path) -> None:
    git(work, "push", "-q", "origin", "main:refs/heads/a/refs/heads/carbon-gate-history")
    assert record(work) == 0
    assert len(reader.read_ref(remote, "refs/heads/carbon-gate-history")) == 1


@pytest.mark.parametrize("name", ["x.", "x//y", "x/.y", "HEAD", "a b"])
def test_a_name_git_would_refuse_as_a_branch_is_a_usage_error(
    work: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    assert record(work, "--branch", name) == 2
    assert "not a branch name git takes" in capsys.readouterr().err


@pytest.mark.parametrize("url", ["javascript:alert(1)//", 'https://x/" onmouseover="a', "ftp://x/"])
def test_a_commit_url_that_is_no_http_address_is_refused(
    work: Path, capsys: pytest.CaptureFixture[str], url: str
) -> None:
    assert record(work) == 0
    capsys.readouterr()
    assert main(["history", "html", "--commit-url", url, "--output", "site"]) == 2
    assert "--commit-url" in capsys.readouterr().err
    assert not (work / "site").exists()
