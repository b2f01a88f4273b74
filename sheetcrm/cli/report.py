"""Commands: report (registered on import)."""

from __future__ import annotations
