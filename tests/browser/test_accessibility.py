"""Both pages checked by axe-core (pinned in web/package-lock.json) in headless Chromium.

axe is injected into a context with ``bypass_csp`` (our CSP rightly refuses foreign
scripts); everything else about the pages is as served.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from room_directory import RoomStatus
from tests.browser.rooms import create_room, edit_room
from tests.support import ROOT

pytestmark = pytest.mark.e2e

AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"


def violations(page: Any) -> list[str]:
    assert AXE.is_file(), "axe-core is missing: run scripts/bootstrap --test"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    assert result["testEngine"]["name"] == "axe-core" and result["passes"], "axe did not run"
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['html'][:120]})"
            for v in result["violations"] if v["impact"] in ("moderate", "serious", "critical")]


def test_pages_have_no_moderate_or_worse_accessibility_violations(make_server: Any, open_page: Any) -> None:
    server = make_server("--no-demo")
    live = create_room(server, title="Late Night Jazz", host="Mia Rivers", genre="jazz")
    edit_room(server, live["id"], status=RoomStatus.LIVE)
    later = create_room(server, title="Morning Talk", host="Sam", genre="talk")
    edit_room(server, later["id"], scheduled_start=time.time() + 7200)

    page, _ = open_page(bypass_csp=True)
    page.goto(server.url + "/")
    assert violations(page) == []

    page.goto(server.url + "/console")
    assert violations(page) == []
    page.get_by_label("Stream key or admin token").fill(server.admin_token)
    page.get_by_role("button", name="Sign in").click()
    page.locator("#room-list li").first.wait_for()
    page.get_by_role("button", name="Open Late Night Jazz").click()
    page.locator("#room").wait_for(state="visible")
    assert violations(page) == []
