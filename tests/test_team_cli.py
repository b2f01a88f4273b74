"""Every team command has help with an example, and a README section."""

from pathlib import Path

import pytest

COMMANDS = ["handover", "assign", "who", "duplicates", "log", "undo"]


@pytest.mark.parametrize("name", COMMANDS)
def test_help_has_an_example_and_readme_shows_the_command(run, name):
    result = run(name, "--help", config=None)
    assert result.exit_code == 0
    assert f"Example: sheetcrm {name}" in result.output
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"$ sheetcrm {name}" in readme
