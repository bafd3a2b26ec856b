"""Rasa input channels: one package per channel (web chat widget, SMS)."""

from bot.rasa_speedups import install as _install_rasa_speedups
from channels.turn_end import install as _install_turn_end

# Every `rasa run` loads our channels: this is where the server's speed fixes go in, and
# the end-of-turn call that lets the SMS reply go before Rasa saves the conversation.
_install_rasa_speedups()
_install_turn_end()
