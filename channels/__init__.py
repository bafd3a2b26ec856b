"""Rasa input channels: one package per channel (web chat widget, SMS).

Importing it changes nothing in Rasa: the server's patches and hooks are installed by
`channels.startup_checks.start_rasa_server()`, which every channel calls when Rasa builds
it.
"""
