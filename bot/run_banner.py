"""What `make run` prints once the assistant is up: where to talk to it."""

from __future__ import annotations

import argparse

from bot.council import get_council
from bot.demo_staff import DEMO_ACCOUNTS


def lines(rasa_port: int) -> list[str]:
    base = f"http://127.0.0.1:{rasa_port}"
    out = [
        f"{get_council().name} assistant is running.",
        f"  Demo council website with the chat widget: {base}/webhooks/webchat/demo/",
        f"  SMS simulator (text from a made-up number): {base}/webhooks/sms/simulator",
        f"  Staff handoff queue:                        {base}/staff/queue",
        f"  Insight dashboard and service alerts:       {base}/staff/insight, {base}/staff/alerts",
        f"  REST API: curl -s {base}/webhooks/rest/webhook "
        '-d \'{"sender": "me", "message": "when is my bin day"}\'',
        "  Chat in this terminal instead: make shell",
        "  DEMO ONLY staff accounts (published passwords; never on a real server):",
    ]
    out += [f"    {a.role:<10} {a.username} / {a.password}" for a in DEMO_ACCOUNTS]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rasa-port", type=int, default=5005)
    print("\n".join(lines(parser.parse_args().rasa_port)))


if __name__ == "__main__":
    main()
