"""A stand-in for GitHub's REST API on 127.0.0.1: the endpoints the gate uses, behaving like GitHub.

Tokens decide who is calling: "bot-token" is the Actions GITHUB_TOKEN (comments as
github-actions[bot]), "app-token" a GitHub App's installation token (comments as my-app[bot]);
both are refused by GET /user, and GraphQL's `viewer` names them. "pat-token" is a person's token
("octo"), "readonly-token" a fork's read-only token (403 on writes); anything else is 401.
Commit statuses set are kept in `statuses`, in order.
Listings are paginated by `Link` headers, three comments a page. `fail_next` queues scripted
responses (5xx, rate limits, 410); the other knobs make the server misbehave on purpose: a `Link`
of its choosing, an answer that is not a list, a body dripped byte by byte, a redirect.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

PAGE = 3
LINKS = 150  # a `next_link` is given this often at most, so a client that follows forever ends
USERS = {
    "bot-token": "github-actions[bot]",
    "app-token": "my-app[bot]",
    "pat-token": "octo",
    "readonly-token": "github-actions[bot]",
}


class FakeGitHub:
    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix  # where the API lives on the host ("/api/v3" on GitHub Enterprise)
        self.comments: dict[int, dict[str, Any]] = {}
        self.requests: list[tuple[str, str]] = []
        self.authorizations: list[str] = []  # every Authorization header received
        self.scripted: list[tuple[int, dict[str, str], Any]] = []
        self.next_link: str | None = None  # the listing's next page, whatever page; {n}: a count
        self.links_given = 0
        self.listing: Any = None  # what GET …/comments answers instead of the comments
        self.omit_length = False  # answer without Content-Length
        self.gzip = True  # compress the answers of a client that accepts it, as GitHub does
        self.drip_s = 0.0  # seconds between the bytes of every answer's body
        self.redirect: str | None = None  # answer the next request with a 307 to this URL
        self.graphql = True  # False: GraphQL refuses (as a GitHub Enterprise Server might)
        self.fail_after_posting = 0  # POSTs that create the comment, then answer 502
        self.repository = "acme/model"
        self.pull = 42
        self.pull_heads: dict[int, str] = {42: "b" * 40}  # GET /repos/{repo}/pulls/{n}: head.sha
        self.statuses: list[dict[str, Any]] = []  # POST /repos/{repo}/statuses/{sha}, in order
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        """The API's address: GITHUB_API_URL."""
        return self.origin + self.prefix

    def start(self) -> FakeGitHub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add_comment(self, author: str, body: str) -> int:
        number = len(self.comments) + 1000
        self.comments[number] = {
            "id": number,
            "user": {"login": author, "type": "Bot" if author.endswith("[bot]") else "User"},
            "body": body,
            "html_url": f"https://github.test/c/{number}",
        }
        return number

    def fail_next(
        self,
        status: int,
        headers: dict[str, str] | None = None,
        times: int = 1,
        body: Any = None,
    ) -> None:
        self.scripted += [(status, headers or {}, body or {"message": "scripted"})] * times

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                pass

            def _send(
                self, status: int, body: Any = None, headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(body if body is not None else {}).encode()
                zipped = fake.gzip and "gzip" in (self.headers.get("Accept-Encoding") or "")
                if zipped:  # as GitHub answers a client that accepts it
                    data = gzip.compress(data)
                self.send_response(status)
                if zipped:
                    self.send_header("Content-Encoding", "gzip")
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                if not fake.omit_length:  # else the body ends when the connection does
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if not fake.drip_s:
                    self.wfile.write(data)
                    return
                for byte in data:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(fake.drip_s)

            def _route(self, method: str) -> None:  # noqa: PLR0911, PLR0912 (one return per GitHub answer)
                url = urlparse(self.path)
                if not url.path.startswith(fake.prefix):
                    return self._send(404, {"message": "Not Found"})
                url = url._replace(path=url.path.removeprefix(fake.prefix))
                fake.requests.append((method, url.path))
                fake.authorizations.append(self.headers.get("Authorization") or "")
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length) or b"{}") if length else {}
                if fake.scripted:
                    status, headers, body = fake.scripted.pop(0)
                    return self._send(status, body, headers)
                if fake.redirect:
                    location, fake.redirect = fake.redirect, None
                    return self._send(307, {}, {"Location": location})
                token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                if token not in USERS:
                    return self._send(401, {"message": "Bad credentials"})
                if url.path == "/graphql" and method == "POST":
                    if not fake.graphql:
                        return self._send(404, {"message": "Not Found"})
                    assert payload == {"query": "query { viewer { login } }"}, payload
                    return self._send(200, {"data": {"viewer": {"login": USERS[token]}}})
                if url.path == "/user":
                    if token != "pat-token":
                        return self._send(
                            403, {"message": "Resource not accessible by integration"}
                        )
                    return self._send(200, {"login": USERS[token], "type": "User"})
                pulls = f"/repos/{fake.repository}/pulls/"
                if url.path.startswith(pulls) and method == "GET":
                    number = int(url.path.removeprefix(pulls))
                    if number not in fake.pull_heads:
                        return self._send(404, {"message": "Not Found"})
                    return self._send(
                        200, {"number": number, "head": {"sha": fake.pull_heads[number]}}
                    )
                base = f"/repos/{fake.repository}/issues"
                if url.path == f"{base}/{fake.pull}/comments" and method == "GET":
                    if fake.listing is not None:
                        return self._send(200, fake.listing)
                    if fake.next_link and fake.links_given < LINKS:
                        fake.links_given += 1
                        link = fake.next_link.format(n=fake.links_given)
                        return self._send(200, [], {"Link": f'<{link}>; rel="next"'})
                    page = int(parse_qs(url.query).get("page", ["1"])[0])
                    items = list(fake.comments.values())
                    chunk = items[(page - 1) * PAGE : page * PAGE]
                    headers = {}
                    if page * PAGE < len(items):
                        headers["Link"] = (
                            f'<{fake.url}{url.path}?per_page=100&page={page + 1}>; rel="next"'
                        )
                    return self._send(200, chunk, headers)
                if method in ("POST", "PATCH") and token == "readonly-token":
                    return self._send(403, {"message": "Resource not accessible by integration"})
                if "/statuses/" in url.path or url.path.endswith("/status"):
                    return self._statuses(method, url.path, payload, token)
                if url.path == f"{base}/{fake.pull}/comments" and method == "POST":
                    if len(payload.get("body", "")) > 65536:
                        return self._send(422, {"message": "Validation Failed: body is too long"})
                    number = fake.add_comment(USERS[token], payload["body"])
                    if fake.fail_after_posting:
                        fake.fail_after_posting -= 1
                        return self._send(502, {"message": "Bad Gateway"})
                    return self._send(201, fake.comments[number])
                if url.path.startswith(f"{base}/comments/") and method == "PATCH":
                    number = int(url.path.rsplit("/", 1)[1])
                    if number not in fake.comments:
                        return self._send(404, {"message": "Not Found"})
                    fake.comments[number]["body"] = payload["body"]
                    return self._send(200, fake.comments[number])
                return self._send(404, {"message": "Not Found"})

            def _statuses(self, method: str, path: str, payload: Any, token: str) -> None:
                """The commit statuses: set (POST …/statuses/SHA), or each context's latest
                (GET …/commits/SHA/status)."""
                combined = re.fullmatch(rf"/repos/{fake.repository}/commits/(\w+)/status", path)
                if combined and method == "GET":
                    latest: dict[str, dict[str, Any]] = {}
                    for said in fake.statuses:
                        if said["sha"] == combined[1]:
                            latest[said["context"]] = said  # the newest of each context
                    return self._send(200, {"sha": combined[1], "statuses": list(latest.values())})
                statuses = f"/repos/{fake.repository}/statuses/"
                if not path.startswith(statuses) or method != "POST":
                    return self._send(404, {"message": "Not Found"})
                if token == "readonly-token":
                    return self._send(403, {"message": "Resource not accessible by integration"})
                if payload.get("state") not in ("error", "failure", "pending", "success"):
                    return self._send(422, {"message": "Validation Failed: state"})
                fake.statuses.append(
                    {**payload, "sha": path.removeprefix(statuses), "creator": USERS[token]}
                )
                return self._send(201, {**payload, "id": len(fake.statuses)})

            def do_GET(self) -> None:
                self._route("GET")

            def do_POST(self) -> None:
                self._route("POST")

            def do_PATCH(self) -> None:
                self._route("PATCH")

        return Handler
