"""The gate's decision: budgets, the paired comparison with the base, the verdict."""
