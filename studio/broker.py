"""The embedded default's Celery broker: kombu's file-system transport, made safe to poll.

kombu writes a message by creating its file in the queue folder, then locking and
filling it; the reader neither locks nor waits, so it can take the file while it is
still empty, fail to decode it and stop the worker (kombu issue #1551), and with it
all of ``make run``. Here a message is written beside the queue and renamed into it
once complete: a rename within one file system is atomic, so a reader sees a whole
message or none.
"""

from __future__ import annotations

import os
import tempfile
import time

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        folder = self.data_folder_out
        handle, partial = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(folder)))
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            # Named by the time, to the nanosecond and zero-padded, since the reader takes files
            # in name order: first in, first out (kombu's milliseconds tie within a burst).
            name = f"{time.monotonic_ns():020d}_{os.path.basename(partial)}.{queue}.msg"
            os.replace(partial, os.path.join(folder, name))
        except OSError as exc:
            if os.path.exists(partial):
                os.unlink(partial)
            raise ChannelError(f"Cannot add a message to {folder!r}") from exc


class Transport(filesystem.Transport):
    Channel = Channel
