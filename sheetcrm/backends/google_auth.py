"""Finding and loading the service-account key sheetcrm signs in to Google with."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sheetcrm.config import Config
from sheetcrm.errors import ConfigError

SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]
ENV_VARS = ("SHEETCRM_GOOGLE_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS")
NEW_KEY = "Google Cloud console, IAM, Service accounts, the account, Keys, Add key, JSON"


def default_key_file() -> Path:
    """Where gspread looks by default (~/.config/gspread/service_account.json)."""
    from gspread.auth import DEFAULT_SERVICE_ACCOUNT_FILENAME

    return Path(DEFAULT_SERVICE_ACCOUNT_FILENAME)


@dataclass(frozen=True)
class KeyFile:
    path: Path
    origin: str  # where the path came from, for messages ("config.yaml", an env var, ...)


def find_key_file(cfg: Config) -> KeyFile:
    """The service-account JSON: $SHEETCRM_GOOGLE_CREDENTIALS (the environment overrides
    config.yaml, as for every key), config.yaml, $GOOGLE_APPLICATION_CREDENTIALS (shared
    with other Google tools, so config.yaml wins over it), then gspread's default."""
    own, shared = ENV_VARS
    if value := os.environ.get(own):
        return KeyFile(Path(value).expanduser(), f"${own}")
    if cfg.google_credentials:
        return KeyFile(cfg.path(cfg.google_credentials), "google_credentials in config.yaml")
    if value := os.environ.get(shared):
        return KeyFile(Path(value).expanduser(), f"${shared}")
    default = default_key_file()
    if default.exists():
        return KeyFile(default, "gspread's default location")
    raise ConfigError(
        "no Google service-account key: set google_credentials in config.yaml or "
        f"SHEETCRM_GOOGLE_CREDENTIALS to the JSON key file, or put it at {default} "
        "(see 'Google Sheets' in the README)"
    )


@dataclass
class ServiceAccount:
    key_file: KeyFile
    email: str
    credentials: Any  # google.oauth2.service_account.Credentials


def load_service_account(cfg: Config) -> ServiceAccount:
    """The credentials in the key file, or a one-line ConfigError saying what is wrong with it."""
    from google.oauth2 import service_account

    key = find_key_file(cfg)
    where = f"{key.path} ({key.origin})"
    try:
        info = json.loads(key.path.read_text(encoding="utf-8-sig"))  # Notepad adds a BOM
    except FileNotFoundError:
        raise ConfigError(f"Google key file {where}: no such file") from None
    except OSError as exc:
        raise ConfigError(f"Google key file {where}: cannot read it ({exc.strerror})") from None
    except ValueError as exc:  # a .p12 key, the console's other choice, is not even text
        p12 = isinstance(exc, UnicodeDecodeError) or key.path.suffix.lower() == ".p12"
        raise ConfigError(
            f"Google key file {where}: {'a .p12 key, ' if p12 else ''}not JSON; create a new "
            f"key choosing JSON ({NEW_KEY})"
        ) from None
    if isinstance(info, dict) and ("installed" in info or "web" in info):
        raise ConfigError(
            f"Google key file {where}: an OAuth client ID (for signing in as a person), not a "
            f"service account's key; create a service account and its JSON key ({NEW_KEY})"
        )
    if not isinstance(info, dict) or info.get("type") != "service_account":
        kind = info.get("type") if isinstance(info, dict) else None
        raise ConfigError(
            f"Google key file {where}: holds {kind or 'unknown'} credentials, not a service "
            f"account's JSON key ({NEW_KEY})"
        )
    try:
        creds = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
    except (ValueError, KeyError) as exc:
        raise ConfigError(f"Google key file {where}: unusable key ({exc})") from None
    return ServiceAccount(key, info.get("client_email", ""), creds)
