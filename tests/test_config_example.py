from pathlib import Path

from sheetcrm.config import Config, load_config

ROOT = Path(__file__).parent.parent


def test_config_example_loads_and_names_every_key(tmp_path):
    example = ROOT / "config.example.yaml"
    cfg = load_config(example, environ={})
    assert cfg.language == "ru" and cfg.columns["client"] == "Наименование"
    assert cfg.routing.rules[0].to == ["Олег", "Ирина"]
    text = example.read_text(encoding="utf-8")
    from dataclasses import fields, is_dataclass

    def walk(obj, prefix=""):
        for f in fields(obj):
            if f.name in ("base_dir", "config_file"):
                continue
            value = getattr(obj, f.name)
            assert f"{f.name}:" in text, f"config.example.yaml does not mention {prefix}{f.name}"
            if is_dataclass(value):
                walk(value, prefix + f.name + ".")

    walk(Config())
