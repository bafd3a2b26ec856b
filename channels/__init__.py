"""Rasa input channels: one package per channel (web chat widget, SMS)."""

from bot.rasa_speedups import install as _install_rasa_speedups

# Every `rasa run` loads our channels: this is where the server's speed fixes go in.
_install_rasa_speedups()
