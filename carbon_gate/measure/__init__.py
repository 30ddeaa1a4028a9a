"""Measuring the model: the worker process that runs it under codecarbon, and the results file."""
