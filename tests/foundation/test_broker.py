"""The embedded broker (``make run``): a message is in the queue whole, or not at all."""

import base64
import json
import os

from kombu import Connection

from studio import broker


def _connection(tmp_path):
    folders = {name: tmp_path / name for name in ("queue", "processed", "control")}
    for folder in folders.values():
        folder.mkdir()
    options = {
        "data_folder_in": str(folders["queue"]),
        "data_folder_out": str(folders["queue"]),
        "control_folder": str(folders["control"]),
        "store_processed": False,
        "polling_interval": 0.01,
    }
    return Connection(
        "filesystem://", transport="studio.broker:Transport", transport_options=options
    ), folders["queue"]


def test_a_message_appears_in_the_queue_only_once_it_is_complete(tmp_path, monkeypatch):
    connection, queue_folder = _connection(tmp_path)
    seen_at_rename = []
    real_replace = os.replace

    def replace(source, target):
        # What a worker polling the queue at this instant could take: nothing yet,
        # while the message it will find is already whole.
        with open(source) as partial:
            seen_at_rename.append((os.listdir(queue_folder), json.load(partial)))
        real_replace(source, target)

    monkeypatch.setattr(broker.os, "replace", replace)
    with connection:
        queue = connection.SimpleQueue("tasks")
        queue.put({"task": "render", "n": 1})
        ((listing, message),) = seen_at_rename
        assert listing == []
        body = base64.b64decode(message["body"])
        assert json.loads(body) == {"task": "render", "n": 1}
        assert [name.endswith(".tasks.msg") for name in os.listdir(queue_folder)] == [True]
        queue.close()


def test_messages_come_out_whole_and_in_the_order_they_went_in(tmp_path):
    connection, queue_folder = _connection(tmp_path)
    with connection:
        # Another queue name than the test above: kombu keeps bindings in class-level state.
        queue = connection.SimpleQueue("renders")
        for n in range(5):
            queue.put({"n": n})
        received = []
        for _ in range(5):
            message = queue.get(timeout=2)
            received.append(message.payload["n"])
            message.ack()
        queue.close()
    assert received == [0, 1, 2, 3, 4]
    # No half-written file is left beside the queue either.
    assert os.listdir(queue_folder) == []
    assert sorted(os.listdir(tmp_path)) == ["control", "processed", "queue"]
