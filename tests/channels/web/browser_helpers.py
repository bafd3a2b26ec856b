"""Helpers for driving the chat widget in headless chromium."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_AXE = Axe()


@contextmanager
def desktop_page(browser: Any, screenshot: Path, timeout_ms: float = 10_000) -> Iterator[Any]:
    """A page in a fresh browser context (empty storage and cache) at desktop size; a
    screenshot of how it ended goes to `screenshot` for people to look at."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    tab.set_default_timeout(timeout_ms)
    try:
        yield tab
    finally:
        tab.screenshot(path=str(screenshot))
        context.close()


def artifact_name(test_name: str) -> str:
    """A file name made from a test's name."""
    return "".join(c if c.isalnum() or c in "_-[]" else "_" for c in test_name)


def axe_violations(page: Any) -> list[str]:
    """axe-core's WCAG 2.2 AA violations on the page, one readable line each."""
    results = _AXE.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]},
    )
    return [
        f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
    ]


def bot_says(page: Any, text: str, timeout: float = 10_000) -> None:
    """Wait until a bot message containing `text` is in the transcript."""
    page.locator(".cc-msg-bot", has_text=text).first.wait_for(timeout=timeout)


def transcript(page: Any) -> list[str]:
    """The transcript as the page shows it (screen-reader prefixes included)."""
    return [t.strip() for t in page.locator(".cc-log .cc-msg").all_inner_texts()]


def active(page: Any) -> dict[str, Any]:
    """What has keyboard focus: its id, classes, text and whether it is inside the chat."""
    return page.evaluate(
        """() => { const e = document.activeElement; return {
            id: e.id, cls: e.className, text: (e.innerText || '').trim(), tag: e.tagName,
            inChat: !!e.closest('[data-council-chat]'),
            outline: getComputedStyle(e).outlineStyle, shadow: getComputedStyle(e).boxShadow }; }"""
    )


def covered_by_chat(page: Any) -> bool:
    """True if the focused page element overlaps the chat's launcher or panel."""
    return bool(
        page.evaluate(
            """() => {
          const e = document.activeElement;
          if (!e || e === document.body || e.closest('[data-council-chat]')) return false;
          const r = e.getBoundingClientRect();
          const panel = document.querySelector('.cc-panel');
          const cover = (panel && !panel.hidden ? panel : document.querySelector('.cc-launcher'))
            .getBoundingClientRect();
          return r.left < cover.right && r.right > cover.left &&
                 r.top < cover.bottom && r.bottom > cover.top;
        }"""
        )
    )
