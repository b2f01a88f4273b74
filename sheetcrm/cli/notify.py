"""Commands: notify (registered on import)."""

from __future__ import annotations
