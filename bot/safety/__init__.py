"""Safety: hearing risk in every message (urgent labels, phrase patterns, the detector)."""
