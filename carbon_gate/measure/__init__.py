"""Measuring the model: the benchmark run in a worker process under codecarbon, apart from
carbon-gate, with nothing left running after it.

Takes the budget file's `Benchmark`; gives the worker's answer as values (`run.Run`: its
`batches.Batches`, the machine, the power sources), summarised as a `measurement.Measurement`
(and, for the base, batches measured in alternation with the head).

    worker/         what runs inside the worker process (its own docstring lists it)
    worker_process  the worker seen from carbon-gate: started, watched, killed, its answer read
    run             what a worker reported, as values: the machine, power sources, warm-up
    batches         the measured batches and repeats (pure)
    session         a serving worker: one measured batch per request
    interleave      head and base measured in alternation, pair by pair
    processes       the processes below a process (Linux's /proc), killing them all
    redact          secrets kept out of the worker's environment and out of what it prints
    git             the base's temporary worktree, and what `init` reads of a repository
    measurement     a run's batches summarised with their spread (pure)
    power_sources   which of codecarbon's figures were measured and which modelled (pure)
"""
