"""The GitHub client against GitHub's own OpenAPI description, served by a validating mock.

Prism (@stoplight/prism-cli) serves @octokit/openapi's description of api.github.com and checks
every request against it: a path, parameter or body the description does not allow is answered
422 with an `sl-violations` header. A small proxy in front of it records what Prism said, and
makes two changes the mock needs, not GitHub: Prism only knows `application/json` (it answers
406 to GitHub's `application/vnd.github+json`), and its made-up `Link` points to
https://api.github.com — another origin, which the client rightly refuses to follow.

Violations in Prism's *answers* are the description's own examples disagreeing with its schemas
(e.g. the pull request's `requested_teams`): they are recorded, and do not fail the test. GraphQL's
`viewer` (how the client learns an installation token's login) is not in the REST description, so
these runs use a token GitHub names through `GET /user`, and `comment_as`.

Slow: Prism reads the 13 MB description at start (about 10 s here).
"""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple

import pytest
import requests
from references import node_package

from carbon_gate.github import status
from carbon_gate.github.comments import GitHub

pytestmark = pytest.mark.slow

STARTUP_LIMIT_S = 180.0


class Seen(NamedTuple):
    """One request through the proxy, and what Prism said of it."""

    method: str
    path: str
    status: int
    violations: list[dict[str, Any]]


class Mock:
    """Prism serving GitHub's description, behind the recording proxy (`url`)."""

    def __init__(self, prism_url: str) -> None:
        self.prism_url = prism_url
        self.seen: list[Seen] = []
        self._session = requests.Session()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._session.close()

    def request_violations(self) -> list[Seen]:
        return [
            seen
            for seen in self.seen
            if seen.status >= 400 or any(v["location"][0] != "response" for v in seen.violations)
        ]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        mock = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                headers["Accept"] = "application/json"
                answer = mock._session.request(
                    self.command,
                    mock.prism_url + self.path,
                    headers=headers,
                    data=self.rfile.read(length) if length else None,
                    allow_redirects=False,
                    timeout=30,
                )
                violations = json.loads(answer.headers.get("sl-violations") or "[]")
                if answer.status_code >= 400 and not violations:  # Prism's own problem report
                    violations = answer.json().get("validation", [])
                mock.seen.append(Seen(self.command, self.path, answer.status_code, violations))
                self.send_response(answer.status_code)
                for name, value in answer.headers.items():
                    if name.lower() not in (
                        "link",
                        "content-length",
                        "transfer-encoding",
                        "connection",
                        "content-encoding",
                    ):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = do_PATCH = _forward

        return Handler


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def mock() -> Iterator[Mock]:
    prism = node_package("@stoplight/prism-cli")
    description = node_package("@octokit/openapi") / "generated" / "api.github.com.json"
    port = _free_port()
    command = ["node", str(prism / "dist" / "index.js"), "mock", "-h", "127.0.0.1"]
    started = time.monotonic()
    process = subprocess.Popen(
        [*command, "-p", str(port), str(description)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log: list[str] = []
    listening = threading.Event()

    def drain() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            log.append(line)
            if "Prism is listening" in line:
                listening.set()

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        if not listening.wait(STARTUP_LIMIT_S):
            pytest.fail(f"Prism did not start within {STARTUP_LIMIT_S:g} s:\n" + "".join(log[-20:]))
        print(f"Prism loaded GitHub's description in {time.monotonic() - started:.1f} s")
        proxy = Mock(f"http://127.0.0.1:{port}")
        yield proxy
        proxy.stop()
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(10)  # it ends at the pipe's end, before the pipe is closed
        if process.stdout is not None:
            process.stdout.close()


def _client(mock: Mock, **kwargs: Any) -> GitHub:
    return GitHub(mock.url, "ghp_not-a-real-token", max_wait_s=60.0, **kwargs)


def _assert_valid(mock: Mock, expected: list[tuple[str, str]]) -> None:
    assert mock.request_violations() == []
    assert [(seen.method, seen.path.split("?")[0]) for seen in mock.seen] == expected


def test_update_mode_posts_when_it_finds_no_comment_of_its_own(mock: Mock) -> None:
    mock.seen.clear()
    published = _client(mock).publish(
        "acme/model", 42, "<!-- m -->\nreport", "<!-- m -->", "update"
    )
    assert published.action == "created"
    _assert_valid(
        mock,
        [
            ("GET", "/user"),
            ("GET", "/repos/acme/model/issues/42/comments"),
            ("POST", "/repos/acme/model/issues/42/comments"),
        ],
    )
    assert mock.seen[1].path.endswith("?per_page=100")


def test_update_mode_edits_the_comment_it_finds(mock: Mock) -> None:
    # The description's example comment is octocat's "Me too": "Me" is the marker here.
    mock.seen.clear()
    published = _client(mock).publish("acme/model", 42, "Me too, edited", "Me", "update")
    assert published.action == "updated"
    _assert_valid(
        mock,
        [
            ("GET", "/user"),
            ("GET", "/repos/acme/model/issues/42/comments"),
            ("PATCH", "/repos/acme/model/issues/comments/1"),
        ],
    )


def test_new_mode_and_comment_as_ask_nothing_else(mock: Mock) -> None:
    mock.seen.clear()
    github = _client(mock, comment_as="octocat")
    assert github.publish("acme/model", 42, "report", "<!-- m -->", "new").action == "created"
    assert github.publish("acme/model", 42, "Me too", "Me", "update").action == "updated"
    _assert_valid(
        mock,
        [
            ("POST", "/repos/acme/model/issues/42/comments"),
            ("GET", "/repos/acme/model/issues/42/comments"),
            ("PATCH", "/repos/acme/model/issues/comments/1"),
        ],
    )


def test_the_pull_request_lookup_is_a_valid_request(mock: Mock) -> None:
    mock.seen.clear()
    pull = _client(mock).call("GET", "/repos/acme/model/pulls/42")
    assert len(pull["head"]["sha"]) == 40
    _assert_valid(mock, [("GET", "/repos/acme/model/pulls/42")])


def test_the_mock_refuses_what_the_description_does_not_allow(mock: Mock) -> None:
    """The check above can fail: a comment without a body is refused, and seen as refused."""
    mock.seen.clear()
    answer = requests.post(
        f"{mock.url}/repos/acme/model/issues/42/comments", json={"text": "x"}, timeout=30
    )
    assert answer.status_code == 422
    (seen,) = mock.request_violations()
    assert seen.violations[0]["location"] == ["request", "body"]


@pytest.mark.parametrize("state", ["success", "failure", "error"])
def test_the_commit_status_is_a_valid_request(mock: Mock, state: str) -> None:
    """The verdict on the head commit (`carbon-gate`), with a description cut to fit and a link."""
    mock.seen.clear()
    said = status.Status(state, status.one_line("❌ carbon-gate: " + "x" * 300), "https://x.test/1")
    status.publish(_client(mock), "acme/model", "b" * 40, status.CONTEXT, said)
    _assert_valid(mock, [("POST", "/repos/acme/model/statuses/" + "b" * 40)])


def test_the_mock_refuses_a_status_github_would_refuse(mock: Mock) -> None:
    """A state that is none of GitHub's is seen as refused: the check above can fail."""
    mock.seen.clear()
    answer = requests.post(
        f"{mock.url}/repos/acme/model/statuses/{'b' * 40}", json={"state": "passed"}, timeout=30
    )
    assert answer.status_code == 422
    (seen,) = mock.request_violations()
    assert seen.violations[0]["location"] == ["body", "state"]


def test_the_pending_mark_looks_before_it_sets(mock: Mock) -> None:
    """`pending` asks for the head commit's statuses first: a valid request, whose answer (the
    description's example, another context's) leaves `carbon-gate` unset."""
    mock.seen.clear()
    assert status.current(_client(mock), "acme/model", "b" * 40, status.CONTEXT) is None
    _assert_valid(mock, [("GET", "/repos/acme/model/commits/" + "b" * 40 + "/status")])
