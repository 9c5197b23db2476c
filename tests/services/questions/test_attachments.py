"""The question's image through the services: attach, replace, refusals, and who may fetch it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from adapters.file_storage import FileStorage
from models.errors import Forbidden, IllegalTransition, NotFound, ValidationFailed
from models.lifecycle import ReplyKind, Status
from models.questions import Attachment, Question
from services.kit.context import ServiceContext
from services.kit.images import CheckedImage, check_image
from services.questions.ask_options import EditMode, ask_question, save_edit
from services.questions.asking import create_draft, delete_question, submit_question, withdraw_question
from services.questions.attachments import attach_image, image_for_customs, image_for_person
from services.questions.handling import reply_question
from tests.factories import World

ctx = ServiceContext()


@pytest.fixture
def storage(tmp_path: Path) -> FileStorage:
    return FileStorage(tmp_path / "uploads")


def image(colour: str = "red", name: str = "现场照片.jpg") -> CheckedImage:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), colour).save(out, "JPEG")
    return check_image(out.getvalue(), name, max_bytes=1024 * 1024)


def stored_files(storage: FileStorage) -> list[Path]:
    return sorted(p for p in storage.root.rglob("*") if p.is_file())


async def draft(world: World) -> Question:
    return await create_draft(ctx, world.solo_staff, world.solo.id, world.form())


async def test_attach_stores_the_file_and_the_row(world: World, storage: FileStorage) -> None:
    q = await draft(world)
    checked = image()

    a = await attach_image(ctx, world.solo_staff, q.id, checked, storage)

    row = await Attachment.get(id=a.id)
    assert (row.question_id, row.round, row.filename, row.content_type) == (q.id, 1, "现场照片.jpg", "image/jpeg")
    assert (row.size, row.sha256, row.uploaded_by_id) == (checked.size, checked.sha256, world.solo_staff.person_id)
    assert await storage.read(row.storage_key) == checked.data
    assert (await Question.get(id=q.id)).version == q.version + 1  # a concurrent submit would notice
    attachment, path = await image_for_person(world.solo_staff.person_id, a.id, storage)
    assert attachment.id == a.id and path.read_bytes() == checked.data


async def test_a_second_image_replaces_the_first_and_its_file(world: World, storage: FileStorage) -> None:
    q = await draft(world)
    first = await attach_image(ctx, world.solo_staff, q.id, image("red"), storage)

    second = await attach_image(ctx, world.solo_staff, q.id, image("blue", "new.png"), storage)

    assert [a.id for a in await Attachment.filter(question_id=q.id)] == [second.id]
    assert stored_files(storage) == [storage.path(second.storage_key)]
    assert not await storage.exists(first.storage_key)
    with pytest.raises(NotFound):
        await image_for_person(world.solo_staff.person_id, first.id, storage)


async def test_another_enterprise_sees_no_question_and_leaves_no_file(world: World, storage: FileStorage) -> None:
    q = await create_draft(ctx, world.executive, world.acme.id, world.form())
    with pytest.raises(NotFound):
        await attach_image(ctx, world.solo_staff, q.id, image(), storage)
    assert stored_files(storage) == []

    a = await attach_image(ctx, world.executive, q.id, image(), storage)
    with pytest.raises(NotFound, match="图片不存在或无权查看"):
        await image_for_person(world.solo_staff.person_id, a.id, storage)
    assert (await image_for_person(world.staff.person_id, a.id, storage))[0].id == a.id  # same enterprise


async def test_only_the_asker_may_attach_to_a_draft(world: World, storage: FileStorage) -> None:
    q = await create_draft(ctx, world.staff, world.acme.id, world.form())
    with pytest.raises(Forbidden, match="只有提问人可以修改该问题"):
        await attach_image(ctx, world.staff2, q.id, image(), storage)
    assert stored_files(storage) == []


async def test_after_submit_the_image_is_refused_with_the_lifecycle_reason(world: World,
                                                                             storage: FileStorage) -> None:
    q = await draft(world)
    kept = await attach_image(ctx, world.solo_staff, q.id, image(), storage)
    await submit_question(ctx, world.solo_staff, q.id)

    with pytest.raises(IllegalTransition, match="问题已提交，不能修改"):
        await attach_image(ctx, world.solo_staff, q.id, image("blue"), storage)

    assert stored_files(storage) == [storage.path(kept.storage_key)]  # the refused file is gone, the old kept
    assert [a.id for a in await Attachment.filter(question_id=q.id)] == [kept.id]


async def test_withdrawn_and_modification_requested_questions_take_an_image(world: World,
                                                                          storage: FileStorage) -> None:
    q = await draft(world)
    await submit_question(ctx, world.solo_staff, q.id)
    await withdraw_question(ctx, world.solo_staff, q.id)
    await attach_image(ctx, world.solo_staff, q.id, image(), storage)
    await submit_question(ctx, world.solo_staff, q.id)
    await reply_question(ctx, world.officer, q.id, ReplyKind.NEEDS_MODIFICATION, "请补充现场照片")

    a = await attach_image(ctx, world.solo_staff, q.id, image("green"), storage)

    assert [x.id for x in await Attachment.filter(question_id=q.id)] == [a.id]


async def test_customs_see_images_of_questions_in_their_scope_once_sent(world: World,
                                                                       storage: FileStorage) -> None:
    q = await draft(world)
    a = await attach_image(ctx, world.solo_staff, q.id, image(), storage)
    with pytest.raises(NotFound):  # a draft is not with customs yet
        await image_for_customs(world.officer.account_id, a.id, storage)

    await submit_question(ctx, world.solo_staff, q.id)

    for allowed in (world.officer, world.supervisor):
        attachment, path = await image_for_customs(allowed.account_id, a.id, storage)
        assert attachment.id == a.id and path == storage.path(a.storage_key)
    with pytest.raises(NotFound, match="图片不存在或无权查看"):
        await image_for_customs(world.nanjing_officer.account_id, a.id, storage)
    with pytest.raises(NotFound):
        await image_for_customs(world.officer.account_id, a.id + 1000, storage)


async def test_a_deleted_question_hides_its_image(world: World, storage: FileStorage) -> None:
    q = await draft(world)
    a = await attach_image(ctx, world.solo_staff, q.id, image(), storage)
    await delete_question(ctx, world.solo_staff, q.id)
    with pytest.raises(NotFound):
        await image_for_person(world.solo_staff.person_id, a.id, storage)


# ---- the storage adapter on its own ------------------------------------------------------------------------


async def test_storage_round_trip_and_delete(storage: FileStorage) -> None:
    key = await storage.put(b"abc", suffix=".png")
    assert key.endswith(".png") and len(key.split("/")) == 3
    assert await storage.read(key) == b"abc"
    assert [p.name for p in stored_files(storage)] == [key.rsplit("/", 1)[1]]  # no temporary file left
    await storage.delete(key)
    await storage.delete(key)  # twice is harmless
    with pytest.raises(NotFound):
        await storage.read(key)


@pytest.mark.parametrize(
    "key",
    ["../secret", "/etc/passwd", "ab/cd/../../../etc/passwd", "ab/cd/" + "0" * 31 + "/x", "", "ab\\cd\\x",
     "ab/cd/" + "0" * 32 + ".PNG/..", "ab/cd/" + "0" * 32 + ".png\n"],
)
def test_storage_refuses_keys_it_could_not_have_made(storage: FileStorage, key: str) -> None:
    with pytest.raises(NotFound):
        storage.path(key)


async def test_storage_refuses_a_bad_suffix(storage: FileStorage) -> None:
    with pytest.raises(ValueError):
        await storage.put(b"x", suffix="/../../x")


async def test_asking_with_an_image_and_a_refused_submit_leaves_nothing(world: World, storage: FileStorage) -> None:
    """One transaction: the reviewer is not an executive, so no question, no image row and no file remain."""
    before = await Question.all().count()
    with pytest.raises(ValidationFailed, match="所选审核高管不是本企业的企业高管"):
        await ask_question(ctx, world.staff, world.acme.id, world.form(), executive_id=world.staff2.person_id,
                           image=image(), storage=storage)
    assert await Question.all().count() == before
    assert await Attachment.all().count() == 0 and stored_files(storage) == []


async def test_asking_with_an_image_submits_the_question_with_it(world: World, storage: FileStorage) -> None:
    q = await ask_question(ctx, world.solo_staff, world.solo.id, world.form(), image=image(), storage=storage)
    [attachment] = await Attachment.filter(question_id=q.id)
    assert (await Question.get(id=q.id)).status is Status.SUBMITTED and attachment.round == 1
    assert stored_files(storage) == [storage.path(attachment.storage_key)]


async def test_the_executives_edit_keeps_the_image_and_stores_no_new_file(world: World,
                                                                         storage: FileStorage) -> None:
    q = await ask_question(ctx, world.staff, world.acme.id, world.form(), executive_id=world.executive.person_id,
                           image=image(), storage=storage)
    [kept] = await Attachment.filter(question_id=q.id)
    _, mode = await save_edit(ctx, world.executive, q.id, world.form("高管修改后的标题"), image=image("blue"),
                              storage=storage)
    assert mode is EditMode.EXEC_EDIT
    assert [a.id for a in await Attachment.filter(question_id=q.id)] == [kept.id]
    assert stored_files(storage) == [storage.path(kept.storage_key)]
