"""How the assistant reads a resident's message beyond its intent: a change of topic in the
middle of a form, anger or frustration. Plain text in, plain answers out (no Rasa)."""
