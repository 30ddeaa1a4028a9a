"""The default branch's history: each run's figures, kept on a branch of the repository's own Git.

Takes a results file and the trusted budget file (`record`); gives entries that the report's trend,
the dashboard and the badge draw (`report.trend`, `report.dashboard`, `report.badge`).

    entries     one run as the history keeps it (`Entry`), its JSON both ways, checked
    record      a run's entry, from its results file and the trusted budget file
    branch      the history branch: read every entry, append one and push, retrying on a race
"""
