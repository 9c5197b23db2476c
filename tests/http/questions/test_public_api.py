"""The published questions' JSON API: open to anybody, paged without repeats, nothing of the enterprise."""

from __future__ import annotations

from models.catalog import QuestionType
from models.questions import Question
from services.questions.handling import unpublish_question
from tests.browser.published import CTX, PUBLIC_REPLY, publish, publish_many
from tests.factories import World
from tests.http.support import Site


async def identity_of(world: World, question_id: int) -> list[str]:
    """Everything that would tell who asked: never in a public answer."""
    question = await Question.get(id=question_id)
    return [world.acme.name, world.acme.credit_code, question.number, question.contact_phone, question.contact_name,
            "高管乙", "企业的原标题"]


async def test_anybody_pages_through_the_list_without_repeats(site: Site, world: World) -> None:
    ids = await publish_many(world, 25)
    seen, url = [], "/api/v1/public/questions?limit=10"
    while url:
        body = (await site.client.get(url)).json()
        seen += [item["id"] for item in body["items"]]
        url = body["next_cursor"] and f"/api/v1/public/questions?limit=10&cursor={body['next_cursor']}"
    assert seen == ids[::-1]


async def test_the_list_filters_by_type_and_shows_summaries(site: Site, world: World) -> None:
    ids = await publish_many(world, 6)
    tariff = world.type_ids[1]
    body = (await site.client.get("/api/v1/public/questions", params={"type_id": tariff})).json()
    assert [item["id"] for item in body["items"]] == [ids[3], ids[0]]
    assert body["items"][0]["title"] == "第4个公开问题"
    assert body["items"][0]["types"] == [{"id": tariff, "name": "关税征管"}]
    assert body["items"][0]["excerpt"] and body["items"][0]["published_at"]
    assert body["next_cursor"] is None


async def test_bad_list_parameters_are_json_400s_in_chinese(site: Site, world: World) -> None:
    for query, field in (("cursor=abc", "cursor"), ("limit=0", "limit"), ("limit=500", "limit"),
                         ("type_id=x", "type_id")):
        response = await site.client.get(f"/api/v1/public/questions?{query}")
        assert response.status_code == 400, query
        assert response.json()["error"]["field"] == field
        assert any("\u4e00" <= c <= "\u9fff" for c in response.json()["error"]["message"])


async def test_the_detail_carries_the_reply_and_no_identity(site: Site, world: World) -> None:
    qid = await publish(world, "IC卡办理")
    response = await site.client.get(f"/api/v1/public/questions/{qid}")
    assert response.status_code == 200
    body = response.json()
    assert (body["title"], body["reply"]) == ("IC卡办理", PUBLIC_REPLY)
    assert [t["name"] for t in body["types"]] == ["通关运行"]
    for secret in await identity_of(world, qid):
        assert secret not in response.text
    listed = await site.client.get("/api/v1/public/questions")
    for secret in await identity_of(world, qid):
        assert secret not in listed.text


async def test_an_unpublished_question_is_a_404(site: Site, world: World) -> None:
    qid = await publish(world, "曾经公开的问题")
    await unpublish_question(CTX, world.supervisor, qid)
    for path in (f"/api/v1/public/questions/{qid}", "/api/v1/public/questions/999999"):
        response = await site.client.get(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


async def test_similar_titles_for_the_ask_form(site: Site, world: World) -> None:
    ic = await publish(world, "电子口岸IC卡如何办理")
    await publish(world, "暂时进出境货物注意事项")
    response = await site.client.get("/api/v1/public/questions/similar", params={"q": "IC卡怎么办理"})
    assert response.json() == {"items": [{"id": ic, "title": "电子口岸IC卡如何办理"}]}
    assert (await site.client.get("/api/v1/public/questions/similar?q=")).json() == {"items": []}
    assert (await site.client.get("/api/v1/public/questions/similar")).json() == {"items": []}


async def test_the_active_question_types(site: Site, world: World) -> None:
    await QuestionType.filter(code="qita").update(active=False)
    body = (await site.client.get("/api/v1/question-types")).json()
    assert [t["name"] for t in body["items"]] == ["通关运行", "关税征管"]


async def test_the_public_routes_are_documented_without_sign_in(site: Site) -> None:
    paths = (await site.client.get("/api/v1/openapi.json")).json()["paths"]
    for path in ("/public/questions", "/public/questions/{question_id}", "/public/questions/similar",
                 "/question-types"):
        assert paths[path]["get"]["tags"] == ["已公开问题"]
        assert paths[path]["get"]["security"] == []
