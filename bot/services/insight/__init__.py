"""Insight: what residents ask, how often the assistant answers them, and privacy rules
for the conversations it learns from (measures, redaction, themes, retention, erasure)."""
