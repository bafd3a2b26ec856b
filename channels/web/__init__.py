"""The website chat widget: a WebSocket channel, its script and the demo pages."""
