"""Rasa input channels: one package per channel (web chat widget, SMS)."""

from bot.rasa_speedups import install as _install_rasa_speedups
from channels.action_failures import install as _install_action_failures
from channels.turn_end import install as _install_turn_end

# Every `rasa run` loads our channels: this is where the server's speed fixes go in, the
# end-of-turn call that lets the SMS reply go before Rasa saves the conversation, and the
# reply the Rasa server gives by itself when the action server is down or too slow.
_install_rasa_speedups()
_install_turn_end()
_install_action_failures()
