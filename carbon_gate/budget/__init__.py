"""The budget file, `carbon-budget.yml`: read, checked line by line, turned into a `Config`."""
