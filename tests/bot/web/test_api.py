"""The JSON API beside the pages, and its OpenAPI description."""

from staff_browser import open_ticket

from bot.web.api import ROUTES


async def signed_in(browser, name):
    client = browser()
    assert (await client.sign_in(name)).status == 303
    return client


async def test_the_api_does_the_whole_round_trip(browser, migrated_engine, accounts):
    ticket = open_ticket(migrated_engine, "api-conv")
    ann = await signed_in(browser, "ann")
    queue = (await ann.api("GET", "/staff/api/tickets")).json["tickets"]
    assert [(t["id"], t["status"], t["topic"]) for t in queue] == [
        (ticket, "waiting", "council_tax_pay")
    ]
    claimed = await ann.api("POST", f"/staff/api/tickets/{ticket}/claim")
    assert claimed.status == 200 and claimed.json["claimed_by"] == "ann"
    assert (
        await ann.api("POST", f"/staff/api/tickets/{ticket}/reply", {"text": "Hello"})
    ).status == 200
    assert (
        await ann.api("POST", f"/staff/api/tickets/{ticket}/notes", {"text": "FYI"})
    ).status == 200
    detail = (await ann.api("GET", f"/staff/api/tickets/{ticket}")).json
    assert [(m["author_kind"], m["intent"]) for m in detail["messages"]] == [
        ("resident", "council_tax_pay"),
        ("bot", None),
        ("resident", "request_human"),
        ("staff", None),
        ("note", None),
    ]
    resolved = await ann.api(
        "POST", f"/staff/api/tickets/{ticket}/resolve", {"outcome": "transferred"}
    )
    assert resolved.json["status"] == "resolved" and resolved.json["outcome"] == "transferred"


async def test_the_api_explains_refusals_with_status_codes(browser, migrated_engine, accounts):
    ticket = open_ticket(migrated_engine)
    ann = await signed_in(browser, "ann")
    assert (await ann.api("GET", "/staff/api/tickets/9999")).status == 404
    not_claimed = await ann.api("POST", f"/staff/api/tickets/{ticket}/reply", {"text": "Hi"})
    assert not_claimed.status == 403
    await ann.api("POST", f"/staff/api/tickets/{ticket}/claim")
    too_long = await ann.api("POST", f"/staff/api/tickets/{ticket}/reply", {"text": "x" * 2001})
    assert too_long.status == 400 and "2000" in too_long.json["error"]
    bad_outcome = await ann.api("POST", f"/staff/api/tickets/{ticket}/resolve", {"outcome": "?"})
    assert bad_outcome.status == 400
    _, not_json = await ann.client.post(
        f"/staff/api/tickets/{ticket}/reply",
        content=b"{not json",
        headers={"X-CSRF-Token": ann.csrf, "Content-Type": "application/json"},
    )
    assert not_json.status == 400
    listed = await ann.api("GET", "/staff/api/staff")
    assert listed.status == 403  # supervisors only


async def test_supervisor_reassigns_through_the_api(browser, migrated_engine, accounts):
    ticket = open_ticket(migrated_engine)
    ann, sue = await signed_in(browser, "ann"), await signed_in(browser, "sue")
    await ann.api("POST", f"/staff/api/tickets/{ticket}/claim")
    staff = (await sue.api("GET", "/staff/api/staff")).json["staff"]
    assert {s["username"] for s in staff} == {"ann", "bob", "sue"}
    bad = await sue.api("POST", f"/staff/api/tickets/{ticket}/reassign", {"staff_id": "bob"})
    assert bad.status == 400
    moved = await sue.api(
        "POST", f"/staff/api/tickets/{ticket}/reassign", {"staff_id": accounts["bob"]}
    )
    assert moved.status == 200 and moved.json["claimed_by"] == "bob"


async def test_openapi_describes_every_route_the_api_serves(browser, staff_app, accounts):
    ann = await signed_in(browser, "ann")
    document = (await ann.api("GET", "/staff/api/openapi.json")).json
    assert document["openapi"].startswith("3.0")
    served = {
        (method, "/" + route.path.replace("<ticket_id:int>", "{ticket_id}"))
        for route in staff_app.router.routes
        for method in route.methods
        if route.path.startswith("staff/api/")
    }
    described = {
        (method.upper(), path) for path, ops in document["paths"].items() for method in ops
    }
    assert served == described
    assert len(described) == len(ROUTES)
    reply = document["paths"]["/staff/api/tickets/{ticket_id}/reply"]["post"]
    assert reply["requestBody"]["content"]["application/json"]["schema"]["required"] == ["text"]
    assert "409" in reply["responses"]
    for path_item in document["paths"].values():
        for operation in path_item.values():
            for response in operation["responses"].values():
                for media in response.get("content", {}).values():
                    name = media["schema"]["$ref"].rsplit("/", 1)[1]
                    assert name in document["components"]["schemas"]


async def test_pages_and_api_answers_carry_security_headers(browser, accounts):
    ann = await signed_in(browser, "ann")
    for response in (await ann.get("/staff/queue"), await ann.api("GET", "/staff/api/tickets")):
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["cache-control"] == "no-store"
