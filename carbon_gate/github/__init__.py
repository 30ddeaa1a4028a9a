"""GitHub: which pull request the gate runs for, and where its report goes.

Takes the Actions environment (event file, token, API URL) and a rendered report; gives the
`PullRequest`, the comment posted or edited in place, the commit status, the job summary, outputs
and annotations.

    pull_request  which pull request: from the event file, or from flags
    wire          where the token may go, and what an answer unpacks to (pure)
    exchange      one request and its answer, within the deadline and the size cap
    api           calls with retries, listings paged, refusals explained
    comments      the gate's own comment: found, posted or edited
    status        the verdict as a commit status on the head commit, for branch rules
    actions       the job summary, step outputs and annotations
    artifact      the folder the fork-safe setup passes from one workflow to the other
"""
