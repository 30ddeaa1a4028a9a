"""The gate's decision: the head against its budgets and against the base. Pure.

Takes the results of head and base (`results.Results`: only what they measured) and the budget
file the gate was given; gives a `compare.Decision` with one row per stage, its status, its reason
and the exit code.

    trusted        each side's figures recomputed from what it measured, under the trusted file
    limits         absolute budgets: is each stage within its limit?
    paired         head and base measured in alternation, judged pair by pair
    sides, rows    one side's figures; one stage's row of the decision
    compare        the decision
    estimate_json  an estimate with its budgets' verdict as the versioned JSON document
"""
