"""The budget file, `carbon-budget.yml`: the first stage of the pipeline.

Takes the file's path. Gives a `settings.Config` (the benchmark to run, the budgets, the life-cycle
assumptions with where each came from, the report's settings), or a `ConfigError` that lists every
problem with its line, column and key.

    yamlfile   YAML → plain values that remember their line and column (safe loading only)
    fields     a declarative description of a YAML file: parsing, checks, JSON Schema, docs
    values     how each kind of value is read and checked (durations, budgets, shares, …)
    schema     the budget file's sections and keys, in that description
    config     the loader: reads the file, walks `schema`, checks across keys
    build      the walk's values → the settings
    settings   Config, Benchmark, Budgets: what the rest of carbon-gate takes
"""
