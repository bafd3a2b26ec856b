"""No long pauses for Python's full garbage collections in a long-running server.

A full collection walks every object the process holds. With the model, spaCy and Rasa
loaded, the Rasa server holds about 570,000 (280-310 ms a collection); the action server,
with rasa_sdk, SQLAlchemy and the council's content, about 160,000 (105-115 ms). During one,
no resident gets an answer: in the action server every action call in flight waits, and at
50 messages a second that stall, about once a 20 s load step, set the step's p95. Once a
server has loaded, the objects alive are kept for its whole life, so they are moved out of
the collector's sight (`gc.freeze`) after one last collection; later garbage is collected
as before. No Rasa imports here: the action server uses it too.
"""

from __future__ import annotations

import gc
import logging

logger = logging.getLogger(__name__)
_FROZEN = False


def freeze_loaded_objects() -> None:
    """Collect once, then leave every object alive now out of later collections (once a
    process: objects made later are collected as usual)."""
    global _FROZEN
    if _FROZEN:
        return
    gc.collect()
    gc.freeze()
    _FROZEN = True
    logger.info(
        "%d objects loaded at start left out of full garbage collections", gc.get_freeze_count()
    )
