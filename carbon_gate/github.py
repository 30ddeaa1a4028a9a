"""Publishing the report as a pull-request comment, through GitHub's REST API.

Only the gate's own comment is ever edited: one that carries its marker *and* was written by the
identity the token belongs to. Faults are retried with bounded patience: 5xx and timeouts back off
exponentially; rate limits wait for `retry-after` or `x-ratelimit-reset`. Errors that waiting cannot
fix (401, 403, 404, 422) become a `GitHubError` saying why and what to do. The token never appears
in a message.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import requests

from carbon_gate.errors import CarbonGateError

COMMENT_LIMIT = 65_536  # characters GitHub accepts in a comment body
ACTIONS_BOT = "github-actions[bot]"  # who comments with the Actions GITHUB_TOKEN
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


class GitHubError(CarbonGateError):
    """GitHub refused or could not be reached; the message says why and what to do."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Published:
    """What happened to the comment: "created" or "updated", and where it is."""

    action: str
    url: str


class GitHub:
    """A small client for the endpoints the gate uses. The clock and the sleep are injectable."""

    def __init__(
        self,
        api_url: str,
        token: str,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        max_wait_s: float = 120.0,
        timeout_s: float = 30.0,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self._token = token
        self.session = session or requests.Session()
        self.sleep, self.clock = sleep, clock
        self.max_wait_s, self.timeout_s = max_wait_s, timeout_s

    def request(self, method: str, path_or_url: str, **kwargs: Any) -> requests.Response:
        """One API call, retried while waiting can help, within `max_wait_s` in all."""
        url = path_or_url if path_or_url.startswith("http") else self.api_url + path_or_url
        headers = {
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {self._token}",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "carbon-gate",
        }
        waited, attempt = 0.0, 0
        while True:
            response: requests.Response | None = None
            try:
                response = self.session.request(
                    method, url, headers=headers, timeout=self.timeout_s, **kwargs
                )
            except (requests.ConnectionError, requests.Timeout) as error:
                reason = f"{type(error).__name__}"
            else:
                if response.status_code < 400:
                    return response
                reason = f"HTTP {response.status_code}"
            delay = self._retry_delay(response, attempt)
            if delay is None or waited + delay > self.max_wait_s:
                raise self._error(method, url, response, reason)
            self.sleep(delay)
            waited += delay
            attempt += 1

    def _retry_delay(self, response: requests.Response | None, attempt: int) -> float | None:
        """Seconds to wait before trying again, or None when waiting will not help."""
        backoff = min(2.0**attempt, 30.0)
        if response is None or response.status_code >= 500:
            return backoff
        if response.status_code in (403, 429):
            if "retry-after" in response.headers:
                return _seconds(response.headers["retry-after"], default=backoff)
            if response.headers.get("x-ratelimit-remaining") == "0":
                reset = _seconds(response.headers.get("x-ratelimit-reset", ""), default=0.0)
                return max(reset - self.clock(), 1.0)
            return backoff if response.status_code == 429 else None
        return None

    def _error(
        self, method: str, url: str, response: requests.Response | None, reason: str
    ) -> GitHubError:
        where = f"{method} {url.removeprefix(self.api_url)}"
        status = None if response is None else response.status_code
        hints = {
            401: "the token is missing, expired or wrong",
            403: "the token may not write here: a pull request from a fork gets a read-only "
            "token (use the two-workflow setup in the README), or the workflow lacks "
            "`permissions: pull-requests: write`",
            404: "the repository or pull request does not exist, or the token cannot see it",
            422: "GitHub rejected the request (a comment longer than 65,536 characters?)",
        }
        hint = hints.get(status or 0, "GitHub could not be reached; try again later")
        detail = ""
        if response is not None:
            try:
                detail = str(response.json().get("message", ""))[:200]
            except ValueError:
                detail = ""
        message = f"{where}: {reason}" + (f" ({detail})" if detail else "") + f" — {hint}"
        return GitHubError(message.replace(self._token, "***") if self._token else message, status)

    def pages(self, path: str) -> Iterator[Any]:
        """Every item of a paginated listing, following the `Link: <…>; rel="next"` header."""
        url: str | None = f"{path}{'&' if '?' in path else '?'}per_page=100"
        while url:
            response = self.request("GET", url)
            yield from response.json()
            match = _NEXT.search(response.headers.get("link", ""))
            url = match.group(1) if match else None

    def identity(self) -> str:
        """The login the token writes as. `GET /user` refuses the Actions token (an installation
        token, which comments as github-actions[bot])."""
        try:
            return str(self.request("GET", "/user").json()["login"])
        except GitHubError as error:
            if error.status in (401, 403, 404):
                return ACTIONS_BOT
            raise

    def publish(self, repository: str, number: int, body: str, marker: str, mode: str) -> Published:
        """Create the gate's comment, or (mode "update") edit its earlier one in place."""
        base = f"/repos/{repository}/issues"
        if mode == "update":
            me = self.identity()
            for comment in self.pages(f"{base}/{number}/comments"):
                author = (comment.get("user") or {}).get("login")
                if author == me and marker in (comment.get("body") or ""):
                    response = self.request(
                        "PATCH", f"{base}/comments/{comment['id']}", json={"body": body}
                    )
                    return Published("updated", str(response.json().get("html_url", "")))
        response = self.request("POST", f"{base}/{number}/comments", json={"body": body})
        return Published("created", str(response.json().get("html_url", "")))


def _seconds(value: str, default: float) -> float:
    try:
        return max(float(value), 0.0)
    except ValueError:
        return default


def fit(body: str, limit: int = COMMENT_LIMIT) -> str:
    """`body` cut at a clean boundary (a blank line) to fit `limit`, with a note saying so."""
    if len(body) <= limit:
        return body
    note = (
        "\n\n> ✂️ This report was longer than a GitHub comment allows and was trimmed here; "
        "the full report is in the job summary.\n"
    )
    room = limit - len(note)
    cut = body.rfind("\n\n", 0, room)
    kept = body[: cut if cut > 0 else room]
    if kept.count("<details>") > kept.count("</details>"):
        kept += "\n\n</details>"
        kept = kept if len(kept) + len(note) <= limit else kept[: room - 12] + "\n</details>"
    return kept + note
