"""The SMS channel: one Rasa input channel, providers behind one small interface."""
