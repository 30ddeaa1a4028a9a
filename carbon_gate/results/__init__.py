"""The results file: what a measurement hands to the gate, and the fork-safe setup from one
workflow to the other.

Takes a measurement (`measure.measurement`) to write, or a results file to read; gives `Results`,
frozen values of what was measured (`records`), parsed once and checked at the edge (`reader`) —
the file is untrusted, and nothing it estimated is read. Writing the file is the one inverse
(`results_file`); `measured_energy` is what the life-cycle estimate takes from a measurement.
"""
