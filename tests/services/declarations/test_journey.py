"""The declarations' whole journey (issue 15's "Done when") through the services, on SQLite and PostgreSQL: a
preparer saves an export declaration with two items and submits it, a reviewer marks it field by field and returns
it, the preparer sees the red field and fixes it, the reviewer sees what changed (the green mark carried over) and
approves, the declaration is declared through the real single-window adapter against the simulator on a local
port, the simulator's receipts (入库, then 删单) arrive by the receipts poll and the deletion opens its exception by
itself, and the declaration prints as a PDF with the preparer's 报关员章 as its watermark."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from adapters.file_storage import FileStorage
from models.declaration_exceptions import ExceptionStatus, ExceptionType
from models.declaration_lifecycle import DeclarationAction, DeclarationStatus
from models.declarations import DeclarationKind, MarkState
from models.errors import Forbidden
from models.messages import Message
from services.declarations.entry import (
    create_draft,
    declare_declaration,
    get_declaration,
    may_declare,
    save_draft,
    submit_declaration,
)
from services.declarations.exception_form import ExceptionFilter
from services.declarations.exceptions import list_exceptions
from services.declarations.marks import red_marks, set_mark
from services.declarations.printing import PrintDocument, print_declaration
from services.declarations.review import approve, get_review, send_back
from services.declarations.sync_runs import poll_receipts
from services.kit.context import ServiceContext
from services.kit.images import check_image
from services.personal.profile import set_image
from tests.factories import World
from tests.services.declarations.conftest import NOW, Served
from tests.services.declarations.print_support import read_pdf, round_stamp
from tests.services.declarations.support import ENTRY, REVIEW, good_form, good_head, good_item, member_of
from tests.services.library.support import load_small_reference

CTX = ServiceContext(clock=lambda: NOW)
PRINT, EXCEPTIONS, SYNC = "query:print", "exception:edit", "sync:run"
R, W = MarkState.RIGHT, MarkState.WRONG
A, S = DeclarationAction, DeclarationStatus


@pytest.fixture
async def reference(db: object, tmp_path: Path) -> None:
    await load_small_reference(tmp_path)


def flat(text: str) -> str:
    return "".join(text.split())


async def test_enter_review_fix_approve_declare_receipts_exception_and_print(
        world: World, served: Served, reference: None, tmp_path: Path) -> None:
    preparer = await member_of(world, world.staff.person_id, ENTRY, PRINT)
    reviewer = await member_of(world, world.executive.person_id, REVIEW, EXCEPTIONS, SYNC)
    storage = FileStorage(tmp_path / "files")
    await set_image(CTX, storage, preparer, "stamp", check_image(round_stamp(), "章.png", max_bytes=1 << 20))

    # entry: a draft saved twice (暂存), then submitted with two items
    second = good_item(goods_name="深沟球轴承（大）", quantity="50", legal_quantity="50", total="178.4")
    draft = await create_draft(CTX, preparer, DeclarationKind.EXPORT, good_form(items=[good_item()]))
    saved = await save_draft(CTX, preparer, draft.id, draft.version, good_form(items=[good_item(), second]))
    submitted = await submit_declaration(CTX, preparer, draft.id, saved.version)
    assert submitted.status is S.PENDING_REVIEW
    assert not may_declare(preparer, submitted) and not may_declare(reviewer, submitted)

    # review: one field right, the second item's price wrong with a comment, returned
    trade = await set_mark(CTX, reviewer, draft.id, "head.trade_mode", R, "", 0)
    price = await set_mark(CTX, reviewer, draft.id, "items[1].price", R, "", 0)
    price = await set_mark(CTX, reviewer, draft.id, "items[1].price", W, "单价与发票不符，应为 3.6", price.last_id)
    returned = await send_back(CTX, reviewer, draft.id, submitted.version)
    assert returned.status is S.RETURNED

    # the preparer sees the red field with its comment, fixes it and submits again
    view = await get_declaration(preparer, draft.id)
    assert await red_marks(view.declaration, view.form) == {"items[1].price": "单价与发票不符，应为 3.6"}
    fixed = good_form(good_head(), [good_item(), {**second, "price": "3.6", "total": "180"}])
    resubmitted = await submit_declaration(CTX, preparer, draft.id, returned.version, fixed)
    assert resubmitted.status is S.PENDING_REVIEW

    # the reviewer sees the change (its mark reset), the unchanged green mark carried over, and approves
    review = await get_review(reviewer, draft.id)
    assert review.states["head.trade_mode"].mark is R and review.states["head.trade_mode"].last_id == trade.last_id
    assert review.states["items[1].price"].mark is MarkState.NONE and review.states["items[1].price"].changed
    await set_mark(CTX, reviewer, draft.id, "items[1].price", R, "", review.states["items[1].price"].last_id)
    approved = await approve(CTX, reviewer, draft.id, resubmitted.version)
    assert approved.status is S.APPROVED
    assert may_declare(preparer, approved) and may_declare(reviewer, approved)

    # 申报 through the adapter over HTTP: the simulator took it and answered the 统一编号
    declared = await declare_declaration(CTX, preparer, draft.id, approved.version)
    assert declared.status is S.DECLARED and declared.seq_no.startswith("I0900")
    code = world.acme.credit_code
    assert served.platform.enterprise(code).declarations[declared.seq_no]["head"]["BillNo"] == "COSU6321457890"
    with pytest.raises(Exception, match="不能申报"):  # declared: nothing sent twice
        await declare_declaration(CTX, reviewer, draft.id)
    assert len(served.platform.sends) == 1

    # receipts: 海关入库, then 删单, read by the scheduler's receipts poll; the deletion opens its exception
    served.platform.emit(code, declared.seq_no, "entered", at=NOW - timedelta(minutes=20))
    served.platform.emit(code, declared.seq_no, "deleted", "申报要素有误，删单重报", at=NOW - timedelta(minutes=5))
    assert await poll_receipts(CTX) == 2
    assert await poll_receipts(CTX) == 0  # read again: nothing moves twice
    after = await get_declaration(preparer, draft.id)
    assert after.declaration.status is S.CUSTOMS_DELETED and after.declaration.entry_id
    assert [e.action for e in after.events] == [A.CREATE, A.SUBMIT, A.RETURN, A.SUBMIT, A.APPROVE, A.DECLARE,
                                                A.RECEIPT_ENTERED, A.RECEIPT_DELETED]
    assert after.events[-1].person is None and after.events[-1].note == "申报要素有误，删单重报"
    found = await list_exceptions(reviewer, ExceptionFilter())
    assert found.total == 1
    exception = found.items[0]
    assert (exception.exception_type, exception.status, exception.created_by_id, exception.owner_id) == (
        ExceptionType.MODIFY_DELETE, ExceptionStatus.PENDING, None, world.staff.person_id)
    assert exception.number == after.declaration.entry_id and "申报要素有误，删单重报" in exception.reason
    told = await Message.filter(person_id=world.staff.person_id).values_list("title", flat=True)
    assert any("删单" in title for title in told), told

    # 打印报关单: the PDF with the preparer's stamp as the watermark
    printed = await print_declaration(CTX, preparer, storage, draft.id, PrintDocument.DECLARATION)
    pdf = read_pdf(printed.data)
    text = flat(pdf.text)
    for value in ("中华人民共和国海关出口货物报关单", "深沟球轴承（大）", "COSU6321457890", "关务丁",
                  after.declaration.entry_id):
        assert flat(value) in text, value
    assert printed.stamped and not printed.sealed and pdf.images == 1
    with pytest.raises(Forbidden):  # the reviewer holds no query:print
        await print_declaration(CTX, reviewer, storage, draft.id, PrintDocument.DECLARATION)
