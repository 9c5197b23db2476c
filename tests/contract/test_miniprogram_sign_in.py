"""Mini-program sign-in through the real adapter against the simulated jscode2session (its real error codes)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.wechat_api import WechatApi
from core.cache import Cache
from core.config import Secret, WechatSettings
from models.enterprises import Person
from models.errors import ServiceUnavailable, ValidationFailed
from services.accounts.wechat_binding import miniprogram_sign_in
from tests.contract.conftest import APP_ID, APP_SECRET, MINI_ID, MINI_SECRET, Simulator
from tests.factories import World


@pytest.fixture
async def api(simulator: Simulator, cache: Cache) -> AsyncIterator[WechatApi]:
    settings = WechatSettings(app_id=APP_ID, app_secret=Secret(APP_SECRET), api_base=simulator.base_url,
                              miniprogram_app_id=MINI_ID, miniprogram_app_secret=Secret(MINI_SECRET))
    api = WechatApi(settings, cache, timeout=5)
    yield api
    await api.aclose()


async def test_a_bound_user_signs_in(simulator: Simulator, api: WechatApi, world: World) -> None:
    await Person.filter(id=world.staff.person_id).update(wechat_openid="oMINI_staff_0001")

    result = await miniprogram_sign_in(api, simulator.platform.wx_login("oMINI_staff_0001"))

    assert result.person is not None and result.person.id == world.staff.person_id


async def test_a_new_user_is_asked_to_bind(simulator: Simulator, api: WechatApi, world: World) -> None:
    result = await miniprogram_sign_in(api, simulator.platform.wx_login())

    assert result.openid and result.needs_binding and result.message == "请先绑定手机号"


async def test_an_invalid_code_is_refused_clearly(api: WechatApi, world: World) -> None:  # 40029
    with pytest.raises(ValidationFailed) as info:
        await miniprogram_sign_in(api, "not-a-code-from-wx-login")
    assert (info.value.message, info.value.field) == ("登录凭证无效或已过期，请重新进入小程序", "code")


async def test_a_used_code_is_refused_clearly(simulator: Simulator, api: WechatApi, world: World) -> None:  # 40163
    code = simulator.platform.wx_login()
    await miniprogram_sign_in(api, code)

    with pytest.raises(ValidationFailed) as info:
        await miniprogram_sign_in(api, code)
    assert info.value.message == "登录凭证已使用，请重新进入小程序"


async def test_a_busy_wechat_is_reported_as_unavailable(simulator: Simulator, api: WechatApi, world: World) -> None:
    simulator.platform.fail_next("sns/jscode2session", -1)

    with pytest.raises(ServiceUnavailable, match="微信服务暂时不可用"):
        await miniprogram_sign_in(api, simulator.platform.wx_login())
