"""Bin-day reminders and service alerts: the composition root (commands) that wires senders."""
