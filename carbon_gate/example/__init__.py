"""carbon-gate's built-in example project: a small dense network in plain numpy."""
