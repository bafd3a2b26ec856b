"""The rasa_sdk action server: thin actions that read slots, call bot.services and reply."""
