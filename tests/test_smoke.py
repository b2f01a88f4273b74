import pytest
from conftest import TODAY, read_tab


def test_sync_fills_ids_and_writes_today_tab(book, run):
    path = book(
        [
            {
                "client": "Daisy Ltd",
                "phone": "8 (912) 345-67-89",
                "manager": "Olga",
                "status": "In progress",
                "next_contact": "20.11.2026",
                "comment": "call back",
            },
        ]
    )
    result = run("sync", str(path), "--date", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    clients = read_tab(path, "Clients")
    assert clients[1][0] == "C00001"
    today = read_tab(path, "Today")
    assert today[1][:3] == ["Olga", 1.0, "Daisy Ltd"]


def test_the_sheetcrm_process_flushes_its_output_and_keeps_the_exit_code(book, en_config):
    """The entry point ends the process with os._exit: nothing printed may be lost."""
    import subprocess
    import sys

    path = book([{"client": f"Client {i}", "manager": "Olga", "status": "New"} for i in range(300)])
    command = [sys.executable, "-m", "sheetcrm", "--config", str(en_config)]
    done = subprocess.run(
        [*command, "sync", str(path), "--date", TODAY.isoformat()], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("crm.xlsx: synced.")
    listed = subprocess.run(
        [*command, "problems", str(path), "--format", "csv", "--date", TODAY.isoformat()],
        capture_output=True,
        text=True,
    )
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout.splitlines()) == 301  # header and one row per client, all there
    missing = subprocess.run(
        [*command, "check", str(path.with_name("none.xlsx"))], capture_output=True, text=True
    )
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"Error: {path.with_name('none.xlsx')}: no such file"


@pytest.mark.parametrize("encoding", ["ascii", "cp1251"])
def test_output_to_a_stream_that_is_not_utf8(book, en_config, encoding):
    """LC_ALL=C with PYTHONUTF8=0, or a pipe on Windows: Cyrillic (or a cup of coffee in a
    client's name) ended in \"unexpected UnicodeEncodeError ... a bug in sheetcrm\"."""
    import os
    import subprocess
    import sys

    row = {"client": "Кофе ☕", "manager": "Ольга", "status": "New", "next_contact": "23.11.2026"}
    path = book([row])
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    done = subprocess.run(
        [sys.executable, "-m", "sheetcrm", "--config", str(en_config), "today", str(path)]
        + ["--date", TODAY.isoformat(), "--format", "csv"],
        capture_output=True,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode("utf-8" if encoding == "ascii" else encoding)
    assert out.splitlines()[1].startswith("Ольга,1,Кофе ")
