"""The council assistant's own package: everything that is not Rasa glue."""
