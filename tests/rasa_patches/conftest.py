"""The patches are installed before these tests import them, as `rasa run` installs them
when it builds our channels (channels.startup_checks.start_rasa_server): the tests compare
each patched function with Rasa's own, kept by `install`. With the default settings, so
whatever RASA_PATCHES says in the environment (test_patches_off.py runs them off)."""

from __future__ import annotations

import rasa_patches
from bot.settings import Settings

rasa_patches.install(Settings())
