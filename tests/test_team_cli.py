"""Every team command has help with an example, and a README section."""

from pathlib import Path

import pytest
from conftest import read_tab

COMMANDS = ["handover", "assign", "who", "duplicates", "log", "undo"]


@pytest.mark.parametrize("name", COMMANDS)
def test_help_has_an_example_and_readme_shows_the_command(run, name):
    result = run(name, "--help", config=None)
    assert result.exit_code == 0
    assert f"Example: sheetcrm {name}" in result.output
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"$ sheetcrm {name}" in readme


def test_team_messages_follow_the_workbook_language(book, run, tmp_path):
    config = tmp_path / "ru.yaml"
    config.write_text("language: ru\n", encoding="utf-8")
    headers = ["ID", "Клиент", "Телефон", "Менеджер", "Статус", "Следующий контакт"]
    rows = [["C00001", "ООО Ромашка", "8 (912) 345-67-89", "Пётр", "В работе", "01.12.2026"]]
    path = book(
        rows,
        headers=headers,
        clients_tab="Клиенты",
        managers=None,
        extra={"Менеджеры": [["Имя", "Активен"], ["Пётр", "да"], ["Ольга", "да"]]},
    )

    def ru(*args: str) -> str:
        result = run(*args, config=config)
        return result.output

    preview = ru("handover", str(path), "Пётр", "--format", "md", "--date", "2026-11-23")
    assert "## Передача клиентов: Пётр" in preview and "## Чек-лист: Ольга: 1" in preview
    assert "Предпросмотр: клиентов к передаче: 1 (прежний менеджер: Пётр;" in preview
    assert "Пётр получит отметку «Активен: Нет» во вкладке «Менеджеры»" in preview
    done = ru("handover", str(path), "Пётр", "--apply", "--date", "2026-11-23")
    assert (
        "Передано клиентов: 1 (прежний менеджер: Пётр); Пётр теперь с отметкой «Активен: Нет»"
        in done
    )
    assert "Назначать некого." in ru("assign", str(path))
    assert "Клиент по запросу «Орион» не найден." in ru("who", str(path), "Орион")
    assert "Изменений: 4." in ru("log", str(path))
    undo = ru("undo", str(path))
    assert "Будет восстановлено ячеек: 4 (handover от " in undo
    assert "Ничего не записано; для записи повторите с --apply." in undo
    assert "Восстановлено ячеек: 4" in ru("undo", str(path), "--apply")
    log = read_tab(path, "Журнал")
    assert log[0][-1] == "Пакет" and log[-1][1] == "undo"
    assert log[-1][8].startswith("отмена пакета ")
