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
