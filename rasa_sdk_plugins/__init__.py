"""Extensions to the rasa_sdk action server (`rasa run actions`), found by rasa_sdk itself.

rasa_sdk 3.6 imports a package of exactly this name when it starts the action server and
calls `init_hooks`; each module registered here may implement its hooks
(`attach_sanic_app_extensions(app)`: listeners, middleware, routes on the server's app).
"""

from __future__ import annotations

import sys

import pluggy


def init_hooks(manager: pluggy.PluginManager) -> None:
    """Register the modules that implement rasa_sdk's hooks."""
    import rasa_sdk_plugins.caller_check  # noqa: F401
    import rasa_sdk_plugins.freeze_after_start  # noqa: F401

    manager.register(sys.modules["rasa_sdk_plugins.caller_check"])
    manager.register(sys.modules["rasa_sdk_plugins.freeze_after_start"])
