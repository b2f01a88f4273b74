"""gspread's HTTP client with a timeout, a bounded retry, and a replaceable API root.

gspread 6.2's HTTPClient sets no timeout and its BackOffHTTPClient retries
without end; a cron job must give up in bounded time with a clear message.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient

GOOGLE_API = "https://sheets.googleapis.com"
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@dataclass
class RetryPolicy:
    """Exponential backoff with full jitter, bounded by attempts and by total time."""

    attempts: int = 6
    base: float = 1.0  # seconds before the first retry (before jitter)
    cap: float = 32.0  # longest single wait
    total: float = 100.0  # give up rather than wait past this many seconds in all
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    jitter: Callable[[], float] = random.random

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """The wait before retry number `attempt` (1 = the first retry)."""
        backoff = min(self.cap, self.base * 2 ** (attempt - 1))
        wait = backoff * (0.5 + self.jitter() / 2)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.cap))
        return wait


class RetriesExhausted(Exception):
    """Google kept answering with a retryable status, or not in time; carries the last error."""

    def __init__(self, last: Exception, attempts: int, seconds: float) -> None:
        super().__init__(str(last))
        self.last = last
        self.attempts = attempts
        self.seconds = seconds

    @property
    def status(self) -> int | None:
        """The last HTTP status; None when Google did not answer in time."""
        return self.last.response.status_code if isinstance(self.last, APIError) else None


@dataclass
class Settings:
    api_url: str = GOOGLE_API
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeout: tuple[float, float] = (10.0, 60.0)  # connect, read


class SheetsHTTPClient(HTTPClient):
    """Pass as gspread.Client(creds, http_client=SheetsHTTPClient.with_settings(settings))."""

    settings: Settings = Settings()

    def __init__(self, auth: Any, session: Any = None) -> None:
        if session is None:
            from google.auth.transport.requests import AuthorizedSession

            session = AuthorizedSession(auth, refresh_timeout=self.settings.timeout[1])
        super().__init__(auth, session)
        self.auth = auth
        self.timeout = self.settings.timeout
        self.counts: Counter[str] = Counter()  # requests sent, by HTTP method

    @classmethod
    def with_settings(cls, settings: Settings) -> type[SheetsHTTPClient]:
        return type(cls.__name__, (cls,), {"settings": settings})

    def request(self, method: str, endpoint: str, **kwargs: Any) -> Any:  # type: ignore[override]
        if self.settings.api_url != GOOGLE_API and endpoint.startswith(GOOGLE_API):
            endpoint = self.settings.api_url + endpoint[len(GOOGLE_API) :]
        policy = self.settings.retry
        start = policy.clock()
        attempt = 0
        while True:
            attempt += 1
            self.counts[method.upper()] += 1
            try:
                return super().request(method, endpoint, **kwargs)
            except (APIError, requests.exceptions.Timeout) as exc:
                if isinstance(exc, APIError) and exc.response.status_code not in RETRY_STATUSES:
                    raise
                wait = policy.delay(attempt, _retry_after(exc))
                spent = policy.clock() - start
                if attempt >= policy.attempts or spent + wait > policy.total:
                    raise RetriesExhausted(exc, attempt, spent) from None
                policy.sleep(wait)


def _retry_after(exc: Exception) -> float | None:
    if not isinstance(exc, APIError):
        return None
    value = exc.response.headers.get("Retry-After", "")
    try:
        return float(value) if value else None
    except ValueError:
        return None
