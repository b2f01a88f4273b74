"""notify --via telegram against a local HTTP server standing in for the Bot API."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner
from conftest import TODAY
from notify_book import assert_only_own_clients, make_book, write_config

from sheetcrm.cli import cli
from sheetcrm.delivery import TELEGRAM_LIMIT, chunks

DAY = ["--date", TODAY.isoformat()]
TOKEN = "123456:ABC-test-token"


class BotApi:
    """Answers POST /bot<token>/sendMessage like Telegram; some chats are 'not found'."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.missing_chats: set[str] = set()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                api.calls.append((self.path, body))
                if self.path != f"/bot{TOKEN}/sendMessage":
                    self._answer(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                elif str(body["chat_id"]) in api.missing_chats:
                    self._answer(
                        400,
                        {
                            "ok": False,
                            "error_code": 400,
                            "description": "Bad Request: chat not found",
                        },
                    )
                else:
                    self._answer(200, {"ok": True, "result": {"message_id": len(api.calls)}})

            def _answer(self, code, data):
                raw = json.dumps(data).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def texts(self) -> dict[str, str]:
        return {str(body["chat_id"]): body["text"] for _, body in self.calls}


@pytest.fixture
def bot():
    api = BotApi()
    yield api
    api.server.shutdown()
    api.server.server_close()


def setup(tmp_path, base):
    path = make_book(tmp_path)
    tg = {"api_base": base, "token_env": "CRM_BOT_TOKEN"}
    cfg = write_config(
        tmp_path, notify={"via": "telegram", "head_of_sales": ["-100777"], "telegram": tg}
    )
    return path, cfg


def notify(cfg, *args, token=TOKEN):
    runner = CliRunner(env={"CRM_BOT_TOKEN": token})
    return runner.invoke(cli, ["--config", str(cfg), "notify", *args], catch_exceptions=False)


def test_each_chat_gets_its_own_list(tmp_path, bot):
    path, cfg = setup(tmp_path, bot.base)
    result = notify(cfg, str(path), *DAY)
    assert result.exit_code == 0, result.output
    assert {p for p, _ in bot.calls} == {f"/bot{TOKEN}/sendMessage"}
    texts = bot.texts()
    assert sorted(texts) == ["-100777", "1001", "1002", "1004"]  # Olga, Ivan, Maria, the digest
    for name, chat in (("Olga", "1001"), ("Ivan", "1002"), ("Maria", "1004")):
        assert_only_own_clients(name, texts[chat], "")
    assert "Team digest for 23.11.2026." in texts["-100777"]
    assert (
        "no address: Anna: no Telegram chat id on the Managers tab (row 4); not sent"
        in result.output
    )
    assert TOKEN not in result.output
    again = notify(cfg, str(path), *DAY)
    assert len(bot.calls) == 4 and "4 already sent today" in again.output


def test_a_chat_not_found_is_reported_and_the_rest_go(tmp_path, bot):
    bot.missing_chats = {"1002"}
    path, cfg = setup(tmp_path, bot.base)
    result = notify(cfg, str(path), *DAY)
    assert result.exit_code == 1
    assert "FAILED: Ivan <1002>: 400 Bad Request: chat not found" in result.output
    assert sorted(bot.texts()) == ["-100777", "1001", "1002", "1004"]
    assert "3 sent, 1 failed" in result.output


def test_a_wrong_token_never_shows(tmp_path, bot):
    path, cfg = setup(tmp_path, bot.base)
    result = notify(cfg, str(path), *DAY, token="999:wrong-token")
    assert result.exit_code == 1
    assert "FAILED: Olga <1001>: 404 Not Found" in result.output
    assert "wrong-token" not in result.output


def test_unreachable_api_and_missing_token(tmp_path, bot):
    bot.server.shutdown()
    bot.server.server_close()
    path, cfg = setup(tmp_path, bot.base)
    result = notify(cfg, str(path), *DAY)
    assert result.exit_code == 1
    assert f"Error: cannot reach the Telegram Bot API at {bot.base} (" in result.output
    assert "4 message(s) not sent" in result.output and TOKEN not in result.output
    result = notify(cfg, str(path), *DAY, token="")
    assert result.exit_code == 2
    assert "Error: $CRM_BOT_TOKEN is empty; put the Telegram bot token there" in result.output


def test_long_lists_are_split_at_line_ends():
    text = "".join(
        f"{i}. Client {i} — +7 912 000-00-00 — In progress — due 23.11.2026 [C{i:05d}]\n"
        for i in range(200)
    )
    pieces = chunks(text)
    assert len(pieces) > 1 and all(len(p) <= TELEGRAM_LIMIT for p in pieces)
    assert "".join(pieces) == text
    assert all(p.endswith("\n") for p in pieces)
