"""The comment publisher against a real HTTP server on 127.0.0.1 that behaves like GitHub."""

from __future__ import annotations

import contextlib
import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from github_server import LINKS, FakeGitHub

from carbon_gate.github.comments import COMMENT_LIMIT, GitHub, fit
from carbon_gate.github.exchange import GitHubError

MARKER = "<!-- carbon-gate report id=carbon-budget.yml -->"
LISTING = "/repos/acme/model/issues/42/comments"


def client(
    server: FakeGitHub, token: str = "bot-token", **kwargs: object
) -> tuple[GitHub, list[float]]:
    slept: list[float] = []
    options = {
        "sleep": slept.append,
        "clock": lambda: 1_000_000.0,
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
    assert server.requests.count(("POST", LISTING)) == 2


def test_without_an_identity_the_gate_will_not_guess_whose_comment_to_edit(
    server: FakeGitHub,
) -> None:
    server.graphql = False
    server.add_comment("github-actions[bot]", f"{MARKER}\nanother workflow's")
    github, _ = client(server, token="app-token")
    with pytest.raises(GitHubError) as caught:
        github.publish("acme/model", 42, MARKER, MARKER, "update")
    assert "cannot tell which account the token comments as" in str(caught.value)
    assert "set `comment-as`" in str(caught.value)
    assert [m for m, _ in server.requests].count("PATCH") == 0


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
    return GitHub(url, "bot-token", sleep=slept.append, comment_as="x"), slept


@pytest.fixture
def elsewhere() -> Iterator[FakeGitHub]:
    """A second server: another port of the same host is another origin."""
    fake = FakeGitHub().start()
    yield fake
    fake.stop()


@pytest.mark.parametrize(
    "where",
    [
        "another-port", "another-host-name", "another-scheme", "outside-the-api-path",
        "a-backslash-before-an-at", "user-information",
    ],
)  # fmt: skip
def test_the_token_never_follows_a_next_page_off_the_api(elsewhere: FakeGitHub, where: str) -> None:
    server = FakeGitHub(prefix="/api/v3").start()
    try:
        port = server.origin.rsplit(":", 1)[1]
        server.next_link = {
            "another-port": f"{elsewhere.url}{LISTING}?page=2",
            "another-host-name": f"http://localhost:{port}/api/v3{LISTING}?page=2",
            "another-scheme": f"https://127.0.0.1:{port}/api/v3{LISTING}?page=2",
            "outside-the-api-path": f"{server.origin}/login/oauth{LISTING}?page=2",
            # Python's URL parser reads the API's host here, urllib3 (which connects) the other's.
            "a-backslash-before-an-at": f"{elsewhere.url}\\@127.0.0.1:{port}/api/v3{LISTING}",
            "user-information": f"http://x@127.0.0.1:{port}/api/v3{LISTING}?page=2",
        }[where]
        github, _ = client(server, token="pat-token")
        with pytest.raises(GitHubError) as caught:
            github.publish("acme/model", 42, MARKER, MARKER, "update")
        assert "outside GITHUB_API_URL" in str(caught.value)
        assert elsewhere.requests == []
        assert elsewhere.authorizations == []
        assert server.requests.count(("GET", LISTING)) == 1  # never asked for "page 2"
        assert [m for m, _ in server.requests].count("POST") == 0  # no guess from half a list
    finally:
        server.stop()


def test_a_redirect_off_the_api_is_not_followed(elsewhere: FakeGitHub, server: FakeGitHub) -> None:
    server.redirect = f"{elsewhere.url}/user"
    github, _ = client(server, token="pat-token")
    with pytest.raises(GitHubError, match="outside GITHUB_API_URL"):
        github.publish("acme/model", 42, MARKER, MARKER, "update")
    assert elsewhere.requests == []


def test_a_redirect_on_the_api_is_followed(server: FakeGitHub) -> None:
    server.redirect = f"{server.url}/user"  # as for a renamed repository
    github, _ = client(server, token="pat-token")
    assert github.identity() == "octo"
    assert server.requests == [("GET", "/user"), ("GET", "/user")]


def test_a_listing_that_loops_is_refused(server: FakeGitHub) -> None:
    server.next_link = f"{server.url}{LISTING}?per_page=100"
    github, _ = client(server)
    with pytest.raises(GitHubError, match="loops"):
        github.publish("acme/model", 42, MARKER, MARKER, "update")
    assert server.requests.count(("GET", LISTING)) == 1


def test_pagination_is_bounded(server: FakeGitHub) -> None:
    server.next_link = server.url + LISTING + "?per_page=100&page={n}"
    github, _ = client(server)
    with pytest.raises(GitHubError, match="more than 100 pages"):
        github.publish("acme/model", 42, MARKER, MARKER, "update")
    assert server.requests.count(("GET", LISTING)) == 100 < LINKS


def test_a_body_dripped_byte_by_byte_cannot_stretch_the_deadline(server: FakeGitHub) -> None:
    server.drip_s = 0.2  # GET /user's answer takes 6 s, each byte far within timeout_s
    github, _ = client(server, token="pat-token", max_wait_s=0.5, timeout_s=30.0)
    start = time.monotonic()
    with pytest.raises(GitHubError, match=r"the publication ran out of time \(0.5 s\)"):
        github.publish("acme/model", 42, MARKER, MARKER, "update")
    assert time.monotonic() - start < 0.8


@pytest.mark.parametrize("announced", [True, False], ids=["content-length", "streamed"])
def test_an_answer_too_large_to_hold_is_refused(server: FakeGitHub, announced: bool) -> None:
    server.listing = ["x" * 11_000_000]
    server.omit_length = not announced
    github, _ = client(server)
    with pytest.raises(GitHubError, match="larger than 10 MB"):
        github.publish("acme/model", 42, MARKER, MARKER, "update")


@pytest.mark.parametrize(
    ("listing", "message"),
    [
        (
            {"message": "Moved Permanently"},
            r"answered an object \(Moved Permanently\) where a list was expected",
        ),
        (["a string"], "item 1 of the listing is not an object"),
        ([{"user": {"login": "github-actions[bot]"}, "body": MARKER}], "has no id"),
    ],
    ids=["object", "strings", "no-id"],
)
def test_a_listing_of_the_wrong_shape_says_what_came(
    server: FakeGitHub, listing: object, message: str
) -> None:
    server.listing = listing
    github, _ = client(server)
    with pytest.raises(GitHubError, match=message):
        github.publish("acme/model", 42, MARKER, MARKER, "update")


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (
            410,
            {"message": "Issues are disabled for this repo"},
            "HTTP 410 (Issues are disabled for this repo) — the pull request's conversation is "
            "gone",
        ),
        (400, {"message": "Problems parsing JSON"}, "HTTP 400 (Problems parsing JSON) — GitHub "),
        (418, ["a", "list"], "HTTP 418 — GitHub refused the request"),
        (409, "a string", "HTTP 409 — GitHub refused the request"),
    ],
    ids=["410", "400", "list-body", "string-body"],
)
def test_other_refusals_say_what_happened(
    server: FakeGitHub, status: int, body: object, message: str
) -> None:
    server.fail_next(status, body=body)
    github, slept = client(server)
    with pytest.raises(GitHubError) as caught:
        github.publish("acme/model", 42, MARKER, MARKER, "new")
    assert message in str(caught.value)
    assert "try again later" not in str(caught.value)
    assert slept == []


def test_an_app_token_updates_its_own_comment_and_no_one_elses(server: FakeGitHub) -> None:
    actions = server.add_comment("github-actions[bot]", f"{MARKER}\nanother workflow's")
    ours = server.add_comment("my-app[bot]", f"{MARKER}\nrun 1")
    github, _ = client(server, token="app-token")
    assert github.publish("acme/model", 42, f"{MARKER}\nrun 2", MARKER, "update").action == (
        "updated"
    )
    assert server.comments[ours]["body"].endswith("run 2")
    assert server.comments[actions]["body"].endswith("another workflow's")
    assert len(server.comments) == 2


def test_the_actions_token_is_named_by_github_not_guessed(server: FakeGitHub) -> None:
    ours = server.add_comment("github-actions[bot]", f"{MARKER}\nrun 1")
    github, _ = client(server, token="bot-token")
    assert github.publish("acme/model", 42, f"{MARKER}\nrun 2", MARKER, "update").action == (
        "updated"
    )
    assert server.comments[ours]["body"].endswith("run 2")
    assert ("POST", "/graphql") in server.requests


def test_an_explicit_identity_wins_and_asks_nothing(server: FakeGitHub) -> None:
    server.graphql = False
    ours = server.add_comment("my-app[bot]", f"{MARKER}\nrun 1")
    github, _ = client(server, token="app-token", comment_as="my-app[bot]")
    assert github.publish("acme/model", 42, f"{MARKER}\nrun 2", MARKER, "update").action == (
        "updated"
    )
    assert server.comments[ours]["body"].endswith("run 2")
    assert not {"/user", "/graphql"} & {path for _, path in server.requests}


def test_a_wrong_explicit_identity_is_noticed_when_github_names_the_author(
    server: FakeGitHub,
) -> None:
    github, _ = client(server, token="app-token", comment_as="github-actions[bot]")
    published = github.publish("acme/model", 42, MARKER, MARKER, "update")
    assert published.action == "created"
    assert "posted as my-app[bot]" in published.note
    assert "set `comment-as` to my-app[bot]" in published.note


@pytest.mark.parametrize(
    ("api_url", "graphql_url"),
    [
        ("https://api.github.com", "https://api.github.com/graphql"),
        ("https://ghe.example/api/v3", "https://ghe.example/api/graphql"),
        ("https://api.acme.ghe.com/", "https://api.acme.ghe.com/graphql"),
    ],
    ids=["github.com", "enterprise-server", "enterprise-cloud-data-residency"],
)
def test_graphql_lives_beside_the_rest_api(api_url: str, graphql_url: str) -> None:
    assert GitHub(api_url, "t").graphql_url == graphql_url


def test_a_failed_post_is_said_even_when_whose_comments_to_look_among_is_unknown(
    server: FakeGitHub,
) -> None:
    """A 502 after a POST makes the gate look for what may have landed; when it cannot tell
    whose comments to look among, the 502 is what it says, not an identity problem."""
    server.graphql = False  # GitHub Enterprise Server without GraphQL, say
    server.fail_next(502)
    github, _ = client(server)
    with pytest.raises(GitHubError, match="HTTP 502") as caught:
        github.publish("acme/model", 42, MARKER, MARKER, "new")
    assert "comment-as" not in str(caught.value)
    assert len(server.comments) == 0


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "soon"])
def test_a_retry_after_that_is_no_number_of_seconds_backs_off(
    server: FakeGitHub, value: str
) -> None:
    server.fail_next(403, {"retry-after": value})
    github, slept = client(server)
    github.publish("acme/model", 42, MARKER, MARKER, "new")
    assert slept == [1.0]


def test_logins_are_compared_as_github_does_without_case(server: FakeGitHub) -> None:
    ours = server.add_comment("Octo", f"{MARKER}\nold")
    github, _ = client(server, token="pat-token")  # GitHub says "octo"
    assert github.publish("acme/model", 42, f"{MARKER}\nnew", MARKER, "update").action == "updated"
    assert server.comments[ours]["body"] == f"{MARKER}\nnew"


class Raw:
    """A server on 127.0.0.1 that answers every connection with `answer(request) -> bytes`,
    written `drip` bytes at a time with `pause_s` between: what no well-behaved server sends."""

    def __init__(self, answer: Callable[[bytes], bytes], drip: int = 0, pause_s: float = 0.0):
        self.answer, self.drip, self.pause_s = answer, drip, pause_s
        self.requests: list[bytes] = []
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._socket.getsockname()[1]}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            with connection:
                request = connection.recv(65_536)
                self.requests.append(request)
                data = self.answer(request)
                step = self.drip or len(data)
                with contextlib.suppress(OSError):
                    for start in range(0, len(data), step):
                        if self._stop.is_set():
                            return
                        connection.sendall(data[start : start + step])
                        time.sleep(self.pause_s)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._socket.close()


def http(body: bytes, *headers: str, status: str = "200 OK") -> bytes:
    head = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", "Connection: close", *headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


@pytest.fixture
def raw() -> Iterator[Callable[..., Raw]]:
    made: list[Raw] = []

    def make(answer: Callable[[bytes], bytes], drip: int = 0, pause_s: float = 0.0) -> Raw:
        made.append(Raw(answer, drip, pause_s))
        return made[-1]

    yield make
    for server in made:
        server.close()


@pytest.mark.parametrize(
    "answer",
    [
        http(b"{}", "X-Pad: " + "a" * 40),  # the status line and headers, a byte at a time
        b"HTTP/1.1 100 Continue\r\n\r\n" * 40 + http(b"{}"),  # "wait", over and over
    ],
    ids=["trickled-headers", "endless-continue"],
)
def test_no_answer_stretches_the_deadline(raw: Callable[..., Raw], answer: bytes) -> None:
    server = raw(lambda _: answer, drip=1, pause_s=0.05)
    api = GitHub(server.url, "tok-123456789", max_wait_s=0.5, timeout_s=30.0)
    start = time.monotonic()
    with pytest.raises(GitHubError, match=r"ran out of time \(0.5 s\)"):
        api.call("GET", "/user")
    assert time.monotonic() - start < 0.8


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (http(b"[]", 'Link: <http://[/x>; rel="next"'), "no URL"),
        (http(b"", "Location: http://[::1/x", status="307 Temporary Redirect"), "no URL"),
        (http(b"[" * 100_000 + b"]" * 100_000), "not JSON"),
        (http(gzip.compress(b"[]") + b"trailing", "Content-Encoding: gzip"), "broken gzip"),
        (http(gzip.compress(b"[]") * 2, "Content-Encoding: gzip"), "broken gzip"),
        (http(gzip.compress(b"[]")[:-4], "Content-Encoding: gzip"), "broken gzip"),
    ],
    ids=["link", "location", "nesting", "trailing", "two-answers", "cut-short"],
)
def test_a_malformed_answer_is_a_clear_refusal(
    raw: Callable[..., Raw], answer: bytes, said: str
) -> None:
    """Never an internal error (ValueError, RecursionError) that would end in exit 3."""
    server = raw(lambda _: answer)
    api = GitHub(server.url, "tok-123456789", max_wait_s=5.0, sleep=lambda _: None)
    with pytest.raises(GitHubError, match=said):
        list(api.pages("/repos/acme/model/issues/42/comments"))


@pytest.mark.parametrize("step", ["%2e%2e", ".%2e", "..;", "..%5c", "%2E%2E"])
def test_the_token_never_steps_out_of_the_api_path(raw: Callable[..., Raw], step: str) -> None:
    """Behind GitHub Enterprise Server's /api/v3, a path that climbs out of it (however spelt, and
    requests decodes `%2e`) could reach the web application with the token."""

    def answer(request: bytes) -> bytes:
        if b"GET /api/v3/x" in request:
            return http(b"[]", f'Link: </api/v3/{step}/{step}/outside>; rel="next"')
        return http(b"[]")

    server = raw(answer)
    api = GitHub(f"{server.url}/api/v3", "tok-123456789")
    with pytest.raises(GitHubError, match="outside GITHUB_API_URL"):
        list(api.pages("/x"))
    assert len(server.requests) == 1
