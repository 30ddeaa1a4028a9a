"""The comment publisher against a real HTTP server on 127.0.0.1 that behaves like GitHub."""

from __future__ import annotations

import pytest
from github_server import FakeGitHub

from carbon_gate.github import COMMENT_LIMIT, GitHub, GitHubError, fit

MARKER = "<!-- carbon-gate report id=carbon-budget.yml -->"


def client(
    server: FakeGitHub, token: str = "bot-token", **kwargs: object
) -> tuple[GitHub, list[float]]:
    slept: list[float] = []
    options = {
        "sleep": slept.append,
        "clock": lambda: 1_000_000.0,
        "fallback_identity": "github-actions[bot]",
        **kwargs,
    }
    return GitHub(server.url, token, **options), slept  # type: ignore[arg-type]


def test_creates_then_updates_its_own_comment_only(server: FakeGitHub) -> None:
    others = server.add_comment("alice", f"quoting the bot: {MARKER}")
    plain = server.add_comment("github-actions[bot]", "another workflow's comment")
    github, _ = client(server)
    first = github.publish("acme/model", 42, f"{MARKER}\nrun 1", MARKER, "update")
    second = github.publish("acme/model", 42, f"{MARKER}\nrun 2", MARKER, "update")
    assert (first.action, second.action) == ("created", "updated")
    ours = [c for c in server.comments.values() if c["body"].endswith("run 2")]
    assert len(ours) == 1
    assert server.comments[others]["body"] == f"quoting the bot: {MARKER}"
    assert server.comments[plain]["body"] == "another workflow's comment"
    assert len(server.comments) == 3


def test_finds_its_comment_on_a_later_page(server: FakeGitHub) -> None:
    for n in range(7):
        server.add_comment("alice", f"comment {n}")
    ours = server.add_comment("github-actions[bot]", f"{MARKER}\nold")
    github, _ = client(server)
    assert github.publish("acme/model", 42, f"{MARKER}\nnew", MARKER, "update").action == "updated"
    assert server.comments[ours]["body"].endswith("new")
    assert sum(1 for method, path in server.requests if method == "GET" and "comments" in path) == 3


def test_mode_new_always_adds_a_comment(server: FakeGitHub) -> None:
    server.add_comment("github-actions[bot]", f"{MARKER}\nold")
    github, _ = client(server)
    assert github.publish("acme/model", 42, f"{MARKER}\nnew", MARKER, "new").action == "created"
    assert len(server.comments) == 2


def test_a_personal_token_edits_only_its_own_persons_comments(server: FakeGitHub) -> None:
    bot = server.add_comment("github-actions[bot]", f"{MARKER}\nbot's")
    github, _ = client(server, token="pat-token")
    assert github.publish("acme/model", 42, f"{MARKER}\nmine", MARKER, "update").action == "created"
    assert server.comments[bot]["body"].endswith("bot's")


def test_server_errors_are_retried_with_backoff(server: FakeGitHub) -> None:
    server.fail_next(502, times=2)
    github, slept = client(server, token="pat-token")
    assert github.identity() == "octo"
    assert slept == [1.0, 2.0]


def test_a_post_that_landed_before_failing_is_not_posted_again(server: FakeGitHub) -> None:
    server.fail_after_posting = 1
    github, _ = client(server)
    assert github.publish("acme/model", 42, f"{MARKER}\nrun", MARKER, "new").action == "created"
    assert len(server.comments) == 1


def test_a_post_that_failed_before_landing_is_posted_again(server: FakeGitHub) -> None:
    server.fail_next(502)
    github, _ = client(server)
    assert github.publish("acme/model", 42, f"{MARKER}\nrun", MARKER, "new").action == "created"
    assert len(server.comments) == 1
    assert [m for m, _ in server.requests].count("POST") == 2


def test_without_an_identity_the_gate_will_not_guess_whose_comment_to_edit(
    server: FakeGitHub,
) -> None:
    github, _ = client(server, fallback_identity=None)
    with pytest.raises(GitHubError, match="cannot tell which account the token belongs to"):
        github.publish("acme/model", 42, MARKER, MARKER, "update")


def test_the_deadline_covers_the_whole_publication(server: FakeGitHub) -> None:
    server.fail_next(429, {"retry-after": "50"}, times=3)
    github, slept = client(server, max_wait_s=120.0)
    with pytest.raises(GitHubError, match="HTTP 429"):
        github.publish("acme/model", 42, MARKER, MARKER, "update")
    assert sum(slept) <= 120.0


def test_a_token_with_a_line_break_is_refused_without_showing_it() -> None:
    with pytest.raises(GitHubError) as caught:
        GitHub("http://127.0.0.1:9", "ghp_SUPERSECRET\n x")
    assert "SUPERSECRET" not in str(caught.value)


def test_retry_after_is_obeyed(server: FakeGitHub) -> None:
    server.fail_next(403, {"retry-after": "7"})
    github, slept = client(server)
    github.publish("acme/model", 42, MARKER, MARKER, "new")
    assert slept == [7.0]


def test_a_spent_rate_limit_waits_for_its_reset(server: FakeGitHub) -> None:
    server.fail_next(403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1000042"})
    github, slept = client(server)
    github.publish("acme/model", 42, MARKER, MARKER, "new")
    assert slept == [42.0]


def test_the_total_wait_is_bounded(server: FakeGitHub) -> None:
    server.fail_next(429, {"retry-after": "3600"})
    github, slept = client(server, max_wait_s=60.0)
    with pytest.raises(GitHubError, match="HTTP 429"):
        github.publish("acme/model", 42, MARKER, MARKER, "new")
    assert slept == []


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (
            "wrong-secret-token",
            "HTTP 401 (Bad credentials) — the token is missing, expired or wrong",
        ),
        (
            "readonly-token",
            "HTTP 403 (Resource not accessible by integration) — the token may not "
            "write here: a pull request from a fork gets a read-only token",
        ),
    ],
    ids=["401", "403-fork"],
)
def test_refusals_say_why_and_never_show_the_token(
    server: FakeGitHub, token: str, message: str
) -> None:
    github, slept = client(server, token=token)
    with pytest.raises(GitHubError) as caught:
        github.publish("acme/model", 42, MARKER, MARKER, "update")
    assert message in str(caught.value)
    assert token not in str(caught.value)
    assert slept == []


def test_a_missing_pull_request_is_a_404(server: FakeGitHub) -> None:
    github, _ = client(server)
    with pytest.raises(GitHubError, match=r"HTTP 404 .* does not exist"):
        github.publish("acme/model", 7, MARKER, MARKER, "new")


def test_long_reports_are_trimmed_to_fit_and_accepted(server: FakeGitHub) -> None:
    body = MARKER + "\n" + "\n\n".join(f"| row {n} | {'x' * 80} |" for n in range(2000))
    github, _ = client(server)
    with pytest.raises(GitHubError, match="HTTP 422"):
        github.publish("acme/model", 42, body, MARKER, "new")
    trimmed = fit(body)
    assert len(trimmed) <= COMMENT_LIMIT
    assert trimmed.startswith(MARKER)
    assert "trimmed" in trimmed
    assert github.publish("acme/model", 42, trimmed, MARKER, "new").action == "created"


def test_an_address_where_nothing_listens_fails_fast_and_says_which() -> None:
    github, slept = client_for("http://127.0.0.1:9")
    with pytest.raises(GitHubError) as caught:
        github.publish("acme/model", 42, MARKER, MARKER, "update")
    assert "http://127.0.0.1:9 (GITHUB_API_URL) could not be reached" in str(caught.value)
    assert slept == [1.0]


def client_for(url: str) -> tuple[GitHub, list[float]]:
    slept: list[float] = []
    return GitHub(url, "bot-token", sleep=slept.append, fallback_identity="x"), slept
