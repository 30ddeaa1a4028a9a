"""The life-cycle estimate of the seed paper: assumptions and emission factors in, footprints
out."""
