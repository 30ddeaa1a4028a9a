"""The default branch's history: each run's figures, kept on a branch of the repository's own Git.

Takes a results file and the trusted budget file (`record`); gives entries that the report's trend,
the dashboard and the badge draw (`report.trend`, `report.dashboard`, `report.badge`).

    entries     one run as the history keeps it (`Entry`), its JSON both ways, checked
    record      a run's entry, from its results file and the trusted budget file
    reader      every entry at a git ref or in a checkout of the branch, each file checked
    branch      the history branch: append an entry and push it, retrying on a race
    gitrun      git for the two: no prompt, no credential in a message, names checked
"""
