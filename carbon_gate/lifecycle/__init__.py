"""The life-cycle estimate of the seed paper (model search → training → inference in the field).

Takes the assumptions (with their sources) and an emission factor; gives each stage's energy and
CO2eq. Pure, but for `grid`, which reads the emission factors that ship inside codecarbon.

    assumptions  the model's inputs, each value with where it came from (`Given`)
    grid         emission factors by country, cloud region or the world average, offline
    hardware     embodied emissions (TE) and lifespans of hardware, from Boavizta's data, offline
    estimate     the estimator's formulas, as pure functions
    embodied     the hardware's embodied emissions by each stage's time, and the SCI score
"""
