"""The workspace's request bodies: a role, a grant, the enterprise switch, a message starred, all read."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from handlers.kit.bodies import Body, PageQuery
from handlers.kit.fields import Flag, Id, Limit, OptionalId, Refusal, Text, Upload


class RoleBody(Body):
    """角色：名称、权限（菜单树上勾选的代码）、数据范围."""

    documented_required = ("name", "data_scope")

    name: Text = ""
    codes: list[Text] = Field(default_factory=list)
    data_scope: Annotated[Text, Field(json_schema_extra={"enum": ["all", "department", "self"]})] = ""


class RenewBody(Body):
    """续期：结束时间可空（按原授权时长顺延）."""

    valid_to: Text = ""


class GrantBody(Body):
    """给人员分配角色及起止时间（结束时间可空：长期有效）."""

    role_id: Annotated[OptionalId, Refusal("请选择要分配的角色")] = None
    valid_from: Text = ""
    valid_to: Text = ""


class SwitchBody(Body):
    enterprise_id: Annotated[Id, Refusal("请选择企业")]


class CompanyInfoBody(Body):
    """企业信息（名称以注册为准，不可改）与开票信息."""

    address: Text = ""
    contact: Text = ""
    phone: Text = ""
    email: Text = ""
    invoice_name: Text = ""
    invoice_tax_id: Text = ""
    invoice_address_phone: Text = ""
    invoice_bank_account: Text = ""


class CompanySwitchesBody(Body):
    """业务设置：启用的申报类型、航空器自动申报及其时间（仅启用时可设置）."""

    kinds: list[Text] = Field(default_factory=list)
    aircraft_auto: Flag = False
    aircraft_time: Text = ""


class CompanyImageBody(Body):
    """LOGO 或印章：文件在 multipart 字段 ``logo`` / ``seal``."""

    logo: Upload = None
    seal: Upload = None


class CarouselBody(Body):
    """企业风采轮播图：图片（multipart 字段 ``carousel_image``）及可选链接."""

    carousel_image: Upload = None
    carousel_link: Text = ""


class CarouselMoveBody(Body):
    direction: Annotated[Text, Field(json_schema_extra={"enum": ["up", "down"]})] = "up"


class LinkBody(Body):
    """企业风采链接：标题与 http/https 网址."""

    link_title: Text = ""
    link_url: Text = ""


class StarBody(Body):
    """星标：勾选为加星，否则取消."""

    starred: Flag = False


class ReadAllBody(Body):
    """全部标为已读：当前标签页（通知 / 预警）."""

    category: Text = "notice"


class MessagesQuery(PageQuery):
    """消息列表：标签页、已读状态、仅星标、分页."""

    category: Annotated[Text, Field(description="通知 notice / 预警 warning",
                                    json_schema_extra={"enum": ["notice", "warning"]})] = "notice"
    state: Annotated[Text, Field(description="空为全部；unread 未读；read 已读",
                                 json_schema_extra={"enum": ["", "unread", "read"]})] = ""
    starred: Annotated[Flag, Field(description="仅显示星标")] = False
    limit: Annotated[Limit, Field(json_schema_extra={"minimum": 1, "maximum": 100, "default": 20})] = 20
