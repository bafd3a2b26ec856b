"""Rasa input channels: one package per channel (web chat widget, SMS)."""
