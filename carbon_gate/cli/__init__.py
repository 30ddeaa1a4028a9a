"""The `carbon-gate` command line: one module per command."""
