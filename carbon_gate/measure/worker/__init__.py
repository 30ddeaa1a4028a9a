"""What runs inside the worker process, `python -m carbon_gate.measure.worker`: the user's model
under codecarbon, apart from carbon-gate.

Takes the benchmark's spec (a JSON file in the worker's folder); gives each repeat's calls,
seconds and energy, and the machine it ran on, back to carbon-gate (`measure.worker_process`,
`measure.session`).

    __main__    the entry: one repeat after another, or one per request
    supervisor  the process carbon-gate started, forked first: kills all the benchmark leaves
    workload    the user's benchmark made ready: imported, set up, warmed up
    user_code   the user's callable or command, and its failures without our frames
    repeat      one measured repeat of each workload
    tracker     codecarbon's tracker, and what it says about the machine
"""
