"""The Rasa server's own front door: the site icon and a plain page for unknown addresses."""
