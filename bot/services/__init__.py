"""Domain logic as plain functions and classes: no Rasa imports here."""
