"""The results file: what a measurement hands to the gate, and what the fork-safe setup passes
from one workflow to the other.

Takes a run's figures to write, or a results file to read; gives `Results`: frozen values of what
was measured, parsed once and checked at the edge, since the file may be a fork's. Nothing a file
estimated is read back.

    records          Results: the worker's run (batches, machine, power sources), comparison
    reader           a results file's JSON → Results, checked (the one way in)
    results_file     Results → the file, atomically (the one inverse); load, identity checks
    measured_energy  what the life-cycle estimate takes from a measurement, with its source
"""
