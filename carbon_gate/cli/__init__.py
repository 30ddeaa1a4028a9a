"""The `carbon-gate` command line: the pipeline's driver, and the only place that turns errors
into exit codes (`exit_codes.reported`).

Takes the command line and the environment; gives the exit code (0 pass, 1 over budget, 2 usage
or budget-file error, 3 measurement or internal error).

    main                            the click group and `main(argv)`
    exit_codes                      errors → what the user reads, and the exit code
    flags, options                  the flags several commands share; flags as values
    budget_commands, gate_commands  the click declarations (light: --help imports nothing heavy)
    history_commands                `history`'s click declarations, as light
    validate, estimate, init        the commands that read or write the budget file
    entry_point                     finding the model's inference function, for `init`
    measure                         `measure`: run the benchmark, write the results file
    check, report                   the gate: measure or read results, then decide and publish
    base_policy                     whose budget file judges: the base's, the branch's policy
    beside_base                     the base's commit measured beside the head
    decision, verdict               what `check` and `report` share: the decision, then its output
    comment                         `comment`, and publishing for `check` and `report`
    pending                         `pending`: a new head commit waits for the verdict
    merge                           `report` over a matrix's legs: one report, one comment
    history                         `history record|html|badge`: the default branch's history
    hardware                        `hardware`: the machines Boavizta's table knows
"""
