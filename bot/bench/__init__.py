"""Measurements: held-out NLU accuracy, out-of-scope answers, speed (`make bench`)."""
