"""The account's state file, which `start` polls while the account process comes up."""

from __future__ import annotations

import json
import threading

from scripts.offline.account import write_state_file


def test_a_reader_polling_the_state_file_never_sees_it_half_written(tmp_path):
    state_file = tmp_path / "account.json"
    state = {"id": "x" * 4096, "endpoint": "http://127.0.0.1:1", "pid": 1}
    written = threading.Event()
    unreadable: list[str] = []

    def poll() -> None:
        while not written.is_set():
            try:
                text = state_file.read_text(encoding="utf-8")
            except FileNotFoundError:
                continue
            try:
                json.loads(text)
            except json.JSONDecodeError:
                unreadable.append(text[:40])

    reader = threading.Thread(target=poll)
    reader.start()
    for _ in range(300):
        write_state_file(state_file, state)
    written.set()
    reader.join()

    assert unreadable == []
    assert json.loads(state_file.read_text(encoding="utf-8")) == state
    assert [path.name for path in tmp_path.iterdir()] == ["account.json"]
