"""config.yaml + environment (SHEETCRM_*) -> a validated Config.

Every section is a dataclass; the loader walks the type hints, so a new
section is a new dataclass and nothing else. Unknown keys are rejected with
the closest known key suggested.
"""

from __future__ import annotations

import difflib
import os
import types
import typing
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Literal, get_args, get_origin, get_type_hints

from sheetcrm.errors import ConfigError
from sheetcrm.schema import CLIENT_FIELDS, DEFAULT_REFUSAL_REASONS, STATUS_LABELS, STATUSES, fold

CONFIG_NAMES = ("config.yaml", "config.yml", "sheetcrm.yaml")

TAB_DEFAULTS = {
    "clients": ("Clients", "Клиенты"),
    "managers": ("Managers", "Менеджеры"),
    "today": ("Today", "Сегодня"),
    "refusals": ("Refusals", "Отказы"),
    "problems": ("Problems", "Проблемы"),
    "log": ("Log", "Журнал"),
    "report": ("Report", "Отчёт"),
}


@dataclass
class Tabs:
    """Tab names; empty means the language's default (either language is read)."""

    clients: str = ""
    managers: str = ""
    today: str = ""
    refusals: str = ""
    problems: str = ""
    log: str = ""
    report: str = ""


@dataclass
class RoutingRule:
    """Clients whose fields match `when` go to one of `to`."""

    when: dict[str, str | list[str]] = field(default_factory=dict)
    to: list[str] = field(default_factory=list)


@dataclass
class Routing:
    rules: list[RoutingRule] = field(default_factory=list)
    pool: list[str] = field(default_factory=list)
    auto_assign: bool = False


@dataclass
class Handover:
    working_days: int = 3
    holidays: list[date] = field(default_factory=list)  # the older place of Config.holidays


@dataclass
class Smtp:
    host: str = "localhost"
    port: int = 587
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str = ""
    password_env: str = "SHEETCRM_SMTP_PASSWORD"
    sender: str = ""
    timeout: float = 30.0


@dataclass
class Telegram:
    token_env: str = "SHEETCRM_TELEGRAM_TOKEN"
    api_base: str = "https://api.telegram.org"
    timeout: float = 30.0


@dataclass
class Notify:
    via: Literal["email", "telegram", "dir"] = "email"
    head_of_sales: list[str] = field(default_factory=list)
    skip_empty: bool = False
    outbox: str = "outbox"
    state_file: str = ".sheetcrm-sent.json"
    smtp: Smtp = field(default_factory=Smtp)
    telegram: Telegram = field(default_factory=Telegram)


@dataclass
class Schedule:
    sync_every_minutes: int = 10
    notify_at: str = "08:30"
    working_days: list[str] = field(default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"])
    log_file: str = ""
    heartbeat_file: str = ".sheetcrm-heartbeat"


@dataclass
class History:
    database: str = ".sheetcrm-history.sqlite"
    retention_days: int = 365
    postponed_times: int = 3


@dataclass
class Config:
    source: str = ""
    language: Literal["ru", "en"] = "ru"
    timezone: str = "Europe/Moscow"
    phone_region: str = "RU"
    tabs: Tabs = field(default_factory=Tabs)
    columns: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, list[str]] = field(default_factory=dict)
    refusal_reasons: list[str] = field(default_factory=list)
    overdue_grace_days: int = 0
    stale_days: int = 30
    backups: int = 10
    # days off besides weekends: `run` sends no lists, a handover's call-by date skips them
    holidays: list[date] = field(default_factory=list)
    google_credentials: str = ""
    keep_report_tab: bool = False
    routing: Routing = field(default_factory=Routing)
    handover: Handover = field(default_factory=Handover)
    notify: Notify = field(default_factory=Notify)
    schedule: Schedule = field(default_factory=Schedule)
    history: History = field(default_factory=History)
    # Where config.yaml was found; relative paths in it are relative to this.
    base_dir: Path = field(default_factory=Path.cwd, repr=False)
    config_file: Path | None = field(default=None, repr=False)  # None: no config.yaml

    # -- derived values -------------------------------------------------
    def tab(self, key: str) -> str:
        """The name sheetcrm writes for an owned tab (or reads when configured)."""
        configured = getattr(self.tabs, key)
        if configured:
            return configured
        en, ru = TAB_DEFAULTS[key]
        return ru if self.language == "ru" else en

    def tab_candidates(self, key: str) -> tuple[str, ...]:
        """Names a tab may have in the sheet: the configured one, else both languages."""
        configured = getattr(self.tabs, key)
        if configured:
            return (configured,)
        en, ru = TAB_DEFAULTS[key]
        return (ru, en) if self.language == "ru" else (en, ru)

    def status_lookup(self) -> dict[str, str]:
        """Folded label -> canonical status; configured labels win."""
        lookup: dict[str, str] = {}
        for lang in ("en", "ru"):
            for status, labels in STATUS_LABELS[lang].items():
                for label in (status, *labels):
                    lookup[fold(label)] = status
        for status, labels in self.statuses.items():
            for label in labels:
                lookup[fold(label)] = status
        return lookup

    def status_label(self, status: str) -> str:
        if self.statuses.get(status):
            return self.statuses[status][0]
        return STATUS_LABELS[self.language][status][0]

    def days_off(self) -> frozenset[date]:
        """`holidays`, and `handover.holidays` where teams first wrote them."""
        return frozenset(self.holidays) | frozenset(self.handover.holidays)

    def reasons(self) -> list[str]:
        return self.refusal_reasons or list(DEFAULT_REFUSAL_REASONS[self.language])

    def path(self, value: str) -> Path:
        p = Path(value).expanduser()
        return p if p.is_absolute() else self.base_dir / p

    def kept(self, value: str, default: str, workbook: Path | None) -> Path:
        """A file of sheetcrm's own (history, sent lists, heartbeat): relative to config.yaml;
        without a config.yaml (nor the key set), beside the workbook as its backups are, so
        that a cron job and a run by hand from other folders share one; else the current
        folder (a Google Sheet)."""
        return self.beside(value, default, workbook) or self.path(value)

    def beside(self, value: str, default: str, workbook: Path | None) -> Path | None:
        """Where `kept` puts the file beside the workbook; None when it does not."""
        if self.config_file is not None or value != default or workbook is None:
            return None
        return Path(workbook).expanduser().resolve().parent / value

    def source_location(self) -> str:
        """`source` from the config: a path relative to config.yaml, or a sheet URL/key."""
        from sheetcrm.backends import google_key

        if not self.source or google_key(self.source):
            return self.source
        return str(self.path(self.source))

    def zone(self) -> typing.Any:
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.timezone)


# -- loading --------------------------------------------------------------


def _suggest(key: str, known: list[str], where: str = "") -> str:
    parts = key.split(".")
    if len(parts) > 1 and (*filter(None, where.split(".")), *parts) in _key_paths(Config):
        # `tabs.refusals: Отказы 2026`, the key as messages and the README name it
        nested = ", ".join(f"'{part}:'" for part in parts[:-1])
        return (
            f"; write it nested, each key indented under the one before: {nested}, '{parts[-1]}: …'"
        )
    if elsewhere := _elsewhere(key, where):
        level = f"in {where}" if where else "at the top level"
        return f" {level}; did you mean {' or '.join(elsewhere)}?"
    close = difflib.get_close_matches(key, known, n=1)
    return f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(known)}"


def _key_paths(cls: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every key of the config as its path, the keys of nested sections too."""
    hints = get_type_hints(cls)
    paths = []
    for f in fields(cls):
        if f.name not in ("base_dir", "config_file"):
            paths.append((*prefix, f.name))
            if is_dataclass(hints[f.name]):
                paths += _key_paths(hints[f.name], (*prefix, f.name))
    return paths


def _elsewhere(key: str, where: str) -> list[str]:
    """Where a key put at the wrong level belongs: `rules:` not indented under `routing:`
    is routing.rules, and SHEETCRM_SMTP_HOST means notify.smtp.host (a close name at the
    wrong level would mislead: `database` is not 'tabs')."""
    return [
        ".".join(path)
        for path in _key_paths(Config)
        if ".".join(path[:-1]) != where
        and any("_".join(path[-n:]) == key for n in range(1, len(path) + 1))
    ]


def _type_name(tp: Any) -> str:
    if get_origin(tp) is Literal:
        return " or ".join(repr(a) for a in get_args(tp))
    return getattr(tp, "__name__", str(tp))


_TRUE = ("true", "yes", "on", "1", "да", "вкл")
_FALSE = ("false", "no", "off", "0", "нет", "выкл")


def _unquoted(item: str) -> str:
    """'tue' or "tue" as YAML reads it: tue."""
    if len(item) > 1 and item[0] == item[-1] and item[0] in "'\"":
        return item[1:-1]
    return item


def _coerce(tp: Any, value: Any, where: str) -> Any:
    origin = get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        errors = []
        for option in get_args(tp):
            try:
                return _coerce(option, value, where)
            except ConfigError as exc:
                errors.append(str(exc))
        raise ConfigError(errors[-1])
    if origin is Literal:
        if value not in get_args(tp):
            allowed = ", ".join(str(a) for a in get_args(tp))
            raise ConfigError(f"{where}: {value!r} is not allowed; use one of: {allowed}")
        return value
    if origin is list:
        (item,) = get_args(tp)
        if isinstance(value, str) and not is_dataclass(item):
            # "mon, tue, wed" where a list is expected (also how a SHEETCRM_* variable
            # gives one): its items, not one odd item; "[]" and "[mon, 'tue']" as in YAML
            inner = value.strip()
            if inner.startswith("[") and inner.endswith("]"):
                inner = inner[1:-1]
            value = [_unquoted(part.strip()) for part in inner.split(",") if part.strip()]
        elif isinstance(value, int | float | date) and not is_dataclass(item):
            value = [value]  # a single value where a list is expected (`holidays: 2027-01-01`)
        if not isinstance(value, list):
            raise ConfigError(f"{where}: expected a list, got {value!r}")
        return [_coerce(item, v, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        _, item = get_args(tp)
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a mapping of keys to values, got {value!r}")
        return {str(k): _coerce(item, v, f"{where}.{k}") for k, v in value.items()}
    if is_dataclass(tp):
        return _build(tp, value, where)
    if tp is bool:
        if isinstance(value, bool):
            return value
        word = value.strip().lower() if isinstance(value, str) else None
        if word in _TRUE or word in _FALSE:  # the Managers tab's да/нет are taken here too
            return word in _TRUE
        raise ConfigError(f"{where}: expected true or false, got {value!r}")
    if tp is int or tp is float:
        wanted = "a whole number" if tp is int else "a number"
        if isinstance(value, bool):
            raise ConfigError(f"{where}: expected {wanted}, got {value!r}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: expected {wanted}, got {value!r}") from None
        if tp is int and not number.is_integer():  # int(2.5) would quietly make it 2
            raise ConfigError(f"{where}: expected {wanted}, got {value!r}")
        return tp(number)
    if tp is date:
        if isinstance(value, date):  # YAML reads 2027-01-01 as a date already
            return value.date() if isinstance(value, datetime) else value
        for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
            try:
                return datetime.strptime(str(value).strip(), fmt).date()
            except ValueError:
                pass
        raise ConfigError(f"{where}: expected a date such as 2027-01-01, got {value!r}")
    if tp is str:
        if value is None:
            raise ConfigError(
                f"{where}: expected text, got nothing; leave the key out to use the default"
            )
        if isinstance(value, dict | list):
            raise ConfigError(f"{where}: expected text, got {value!r}")
        return str(value)
    raise ConfigError(f"{where}: unsupported value {value!r} (expected {_type_name(tp)})")


def _build(cls: Any, data: Any, where: str) -> Any:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{where or 'config'}: expected a mapping of keys to values, got {data!r}"
        )
    hints = get_type_hints(cls)
    known = [f.name for f in fields(cls) if f.name not in ("base_dir", "config_file")]
    for key in data:
        if key not in known:
            raise ConfigError(
                f"{where}{'.' if where else ''}{key}: unknown key{_suggest(str(key), known, where)}"
            )
    kwargs = {  # a key left empty (`clients:` and nothing after it) takes its default
        name: _coerce(hints[name], data[name], f"{where}{'.' if where else ''}{name}")
        for name in known
        if data.get(name) is not None
    }
    return cls(**kwargs)


def _from_env(environ: typing.Mapping[str, str]) -> dict[str, Any]:
    """SHEETCRM_SOURCE=..., SHEETCRM_NOTIFY__SMTP__HOST=... -> nested dict."""
    out: dict[str, Any] = {}
    for name, value in environ.items():
        if not name.startswith("SHEETCRM_") or name in _ENV_NOT_CONFIG:
            continue
        if not value.strip():
            continue  # `KEY=` in an env file: as if unset, not an empty list (`[]` says none)
        keys = name[len("SHEETCRM_") :].lower().split("__")
        node = out
        for key in keys[:-1]:
            node = node.setdefault(key, {})
            if not isinstance(node, dict):
                raise ConfigError(f"{name}: {key} is set by itself too (SHEETCRM_{key.upper()})")
        node[keys[-1]] = value
    return out


def _from_variable(exc: ConfigError, env: dict[str, Any], prefix: str = "") -> ConfigError:
    """The error, saying which SHEETCRM_* variable set the key it names."""
    for key, value in env.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            if str(exc).startswith(f"{path}."):
                return _from_variable(exc, value, f"{path}.")
        elif str(exc).startswith((f"{path}:", f"{path}[", f"{path}.")):
            variable = "SHEETCRM_" + path.replace(".", "__").upper()
            return ConfigError(f"{exc} (set by the environment variable {variable})")
    return exc


# Environment variables that carry secrets or paths for other purposes.
_ENV_NOT_CONFIG = {
    "SHEETCRM_CONFIG",
    "SHEETCRM_SMTP_PASSWORD",
    "SHEETCRM_TELEGRAM_TOKEN",
    "SHEETCRM_GOOGLE_CREDENTIALS",
}


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _validate_phone_region(cfg: Config) -> None:
    # "ru" would otherwise make every phone without +7 a finding
    cfg.phone_region = cfg.phone_region.strip().upper()
    if cfg.phone_region == "RU":
        return  # the default; spares importing phonenumbers on every command
    import phonenumbers

    if cfg.phone_region not in phonenumbers.SUPPORTED_REGIONS:
        raise ConfigError(
            f"phone_region: {cfg.phone_region!r} is not a country code phones are read in; "
            "use a two-letter code such as RU, KZ, BY, UA, DE"
        )


def _validate(cfg: Config) -> None:
    try:
        cfg.zone()
    except Exception:
        raise ConfigError(
            f"timezone: {cfg.timezone!r} is not a known time zone (e.g. Europe/Moscow, UTC)"
        ) from None
    _validate_phone_region(cfg)
    field_names = [f.name for f in CLIENT_FIELDS]
    for key in cfg.columns:
        if key not in field_names:
            raise ConfigError(f"columns.{key}: unknown field{_suggest(key, field_names)}")
    seen: dict[str, str] = {}  # folded label -> the status it was given for
    for key, labels in cfg.statuses.items():
        if key not in STATUSES:
            raise ConfigError(f"statuses.{key}: unknown status{_suggest(key, list(STATUSES))}")
        for label in labels:
            other = seen.setdefault(fold(label), key)
            if other != key:
                raise ConfigError(
                    f"statuses.{key}: {label!r} is also a label of {other}; give it to one"
                )
    for name in ("stale_days", "backups", "overdue_grace_days"):
        if getattr(cfg, name) < 0:
            raise ConfigError(f"{name}: must be 0 or more, got {getattr(cfg, name)}")
    if cfg.history.retention_days < 0:
        raise ConfigError(
            f"history.retention_days: must be 0 or more, got {cfg.history.retention_days}"
        )
    if cfg.history.postponed_times < 1:
        raise ConfigError(
            f"history.postponed_times: must be 1 or more, got {cfg.history.postponed_times}"
        )
    for i, rule in enumerate(cfg.routing.rules):
        if not rule.to:
            raise ConfigError(f"routing.rules[{i}].to: name at least one manager")
    _validate_tabs(cfg)
    working_days(cfg.schedule)  # wrong days or times stop every command, not only `run`
    notify_time(cfg.schedule)


def _validate_tabs(cfg: Config) -> None:
    """No two tabs share a name (Excel and Google ignore case in tab names): a Problems
    tab named like the clients would be written over them."""
    keys = list(TAB_DEFAULTS)
    for i, key in enumerate(keys):
        for other in keys[i + 1 :]:
            if not (getattr(cfg.tabs, key) or getattr(cfg.tabs, other)):
                continue  # the built-in names differ
            names = {fold(n) for n in cfg.tab_candidates(other)}
            if any(fold(n) in names for n in cfg.tab_candidates(key)):
                which = key if getattr(cfg.tabs, key) else other
                raise ConfigError(
                    f"tabs.{which}: {getattr(cfg.tabs, which)!r} is also the name of the "
                    f"{other if which == key else key} tab; give each tab a name of its own"
                )


DAY_NAMES = {
    **{name: i for i, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{name: i for i, name in enumerate(("пн", "вт", "ср", "чт", "пт", "сб", "вс"))},
}
_FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def working_days(sch: Schedule) -> set[int]:
    """Weekday numbers (Monday = 0) from names such as mon, Friday, пт."""
    days = set()
    for name in sch.working_days:
        key = name.strip().casefold()
        # a day's name or the start of it ("tues"), never text that starts with one ("Mon-Fri")
        full = [i for i, day in enumerate(_FULL_DAYS) if len(key) >= 3 and day.startswith(key)]
        key = _FULL_DAYS[full[0]][:3] if full else key
        if key not in DAY_NAMES:
            raise ConfigError(
                f"schedule.working_days: {name!r} is not a day; "
                "use mon, tue, wed, thu, fri, sat or sun"
            )
        days.add(DAY_NAMES[key])
    return days


def notify_time(sch: Schedule) -> time:
    hours, _, minutes = sch.notify_at.strip().partition(":")
    try:
        if not (hours.isdigit() and len(minutes) == 2 and minutes.isdigit()):
            raise ValueError
        return time(int(hours), int(minutes))
    except ValueError:
        raise ConfigError(
            f"schedule.notify_at: {sch.notify_at!r} is not a time of day; use HH:MM, e.g. 08:30"
        ) from None


def find_config(
    explicit: str | os.PathLike[str] | None = None, source: str | None = None
) -> Path | None:
    """--config, else $SHEETCRM_CONFIG, else config.yaml in the working folder, else the
    one beside the workbook SOURCE names (where the README says to put it)."""
    if explicit:
        return Path(explicit)
    if env := os.environ.get("SHEETCRM_CONFIG"):
        return Path(env)
    folders = [Path()]
    if source:
        folders.append(Path(source).expanduser().parent)
    for folder in folders:
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
    return None


def _loader() -> Any:
    """yaml's safe loader, except that 9:30 stays text (YAML 1.1 reads it as a number in
    base 60, 570, and `notify_at: 9:30` was then called '570') and a key given twice is
    refused."""
    import re

    import yaml

    base_60 = r"(?![-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$)"
    numbers = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")

    class Loader(yaml.SafeLoader):
        yaml_implicit_resolvers = {
            first: [
                (tag, re.compile(base_60 + rx.pattern, rx.flags) if tag in numbers else rx)
                for tag, rx in resolvers
            ]
            for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
        }

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            """A key given twice is refused: YAML would quietly keep the last one."""
            lines: dict[str, int] = {}
            for key, _ in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value != "<<":
                    line = key.start_mark.line + 1
                    if (first := lines.setdefault(key.value, line)) != line:
                        raise yaml.constructor.ConstructorError(
                            None,
                            None,
                            f"{key.value} is given twice, on lines {first} and {line}; keep one",
                            key.start_mark,
                        )
            return super().construct_mapping(node, deep)

    return Loader


def _not_yaml(found: Path, exc: Any) -> str:
    """The parser's complaint, and what to change: its words ("found character '\\t' that
    cannot start any token") do not say it for the usual slips."""
    problem, context = str(getattr(exc, "problem", exc)), str(getattr(exc, "context", ""))
    mark = getattr(exc, "problem_mark", None)
    hint = ""
    if "'\\t'" in problem:
        hint = "; a tab character: use spaces instead"
    elif "escape" in problem:  # "C:\Users\..." in double quotes
        hint = (
            "; in double quotes a backslash starts an escape: write a Windows path "
            "in single quotes ('C:\\CRM\\crm.xlsx') or with / for \\"
        )
    elif "quoted scalar" in context:
        mark, hint = getattr(exc, "context_mark", None) or mark, "; a quote is not closed"
    elif problem.startswith(("expected <block end>", "mapping values are not allowed")):
        hint = (
            "; check the indentation (the keys of a section start in one column, right of "
            "the section's name) and put a value holding ': ' or a quote in quotes"
        )
    at = f" at line {mark.line + 1}" if mark else ""
    return f"{found}{at}: not valid YAML ({problem}){hint}"


# what "\n", "\t", "\a"… in double quotes become; no setting holds one on purpose
_ESCAPED = frozenset(map(chr, range(32))) | {"\x85", "\xa0", "\u2028", "\u2029"}


def _escaped(value: Any) -> bool:
    if isinstance(value, str):
        return not _ESCAPED.isdisjoint(value)
    if isinstance(value, dict):
        return any(_escaped(k) or _escaped(v) for k, v in value.items())
    return isinstance(value, list) and any(map(_escaped, value))


def _escaped_where(found: Path, text: str) -> str | None:
    r"""A Windows path in double quotes, "D:\new\table.xlsx", is valid YAML but holds a line
    break and a tab: the path named a file that does not exist, on two lines. None when no
    double-quoted value holds one."""
    import yaml

    nodes = [yaml.compose(text, Loader=_loader())]
    while nodes:
        node = nodes.pop()
        if isinstance(node, yaml.MappingNode):
            nodes += [n for pair in reversed(node.value) for n in reversed(pair)]
        elif isinstance(node, yaml.SequenceNode):
            nodes += reversed(node.value)
        elif isinstance(node, yaml.ScalarNode) and node.style == '"' and _escaped(node.value):
            break
    else:
        return None
    written = text[node.start_mark.index : node.end_mark.index]
    return (
        f"{found} at line {node.start_mark.line + 1}: in double quotes a backslash starts an "
        f"escape, so {written} "
        "holds a line break, a tab or another control character (\\n, \\t…); write a "
        "Windows path in single quotes ('D:\\new\\crm.xlsx') or with / for \\"
    )


def load_config(
    path: str | os.PathLike[str] | None = None,
    environ: typing.Mapping[str, str] | None = None,
    source: str | None = None,
) -> Config:
    """Read config.yaml (if any) and SHEETCRM_* variables into a Config; `source` is the
    workbook given on the command line, beside which config.yaml is looked for too."""
    data: dict[str, Any] = {}
    found = find_config(path, source)
    base_dir = Path.cwd()
    if found is not None:
        import yaml

        try:
            text = found.read_text(encoding="utf-8")
            loaded = yaml.load(text, Loader=_loader())
        except FileNotFoundError:
            raise ConfigError(f"config file {found} does not exist") from None
        except OSError as exc:
            raise ConfigError(f"cannot read config file {found}: {exc.strerror}") from None
        except UnicodeDecodeError as exc:  # e.g. saved as Windows-1251 by an old Notepad
            line = found.read_bytes()[: exc.start].count(b"\n") + 1
            raise ConfigError(
                f"{found} at line {line}: not UTF-8 text; save it with the UTF-8 encoding"
            ) from None
        except yaml.YAMLError as exc:
            raise ConfigError(_not_yaml(found, exc)) from None
        if loaded is not None and not isinstance(loaded, dict):
            colon = isinstance(loaded, str) and ":" in loaded  # `language:en`
            space = "; write a space after the colon (language: en)" if colon else ""
            raise ConfigError(f"{found}: expected keys and values at the top level{space}")
        if _escaped(loaded) and (escaped := _escaped_where(found, text)):
            raise ConfigError(escaped)
        data = loaded or {}
        base_dir = found.resolve().parent
    env = _from_env(os.environ if environ is None else environ)
    try:
        cfg = _build(Config, _merge(data, env), "")
        cfg.base_dir = base_dir
        cfg.config_file = found
        _validate(cfg)
    except ConfigError as exc:
        raise _from_variable(exc, env) from None
    return cfg
