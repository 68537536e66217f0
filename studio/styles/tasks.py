"""The styles app's background work: one public function to enqueue each task.

The generation pipeline enqueues ``RECORD_TRAINED_STYLE`` by name when a training
job completes (``studio.generation.tasks.enqueue_record_trained_style``); the
task itself is in ``worker.py``.
"""

from __future__ import annotations

from studio.generation.tasks import RECORD_TRAINED_STYLE, enqueue_record_trained_style

__all__ = ["RECORD_TRAINED_STYLE", "enqueue_record_trained_style"]
