"""The workspace's request bodies: roles and grants, departments, people, questions, join requests, messages."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from handlers.kit.bodies import Body, PageQuery
from handlers.kit.fields import Flag, Id, Ids, Limit, OptionalDay, OptionalId, Refusal, Text, Upload
from services.workspace.labels import MSG_DEPT_PARENT


class RoleBody(Body):
    """角色：名称、权限（菜单树上勾选的代码）、数据范围."""

    documented_required = ("name", "data_scope")

    name: Text = ""
    codes: list[Text] = Field(default_factory=list)
    data_scope: Annotated[Text, Field(json_schema_extra={"enum": ["all", "department", "self"]})] = ""


class DeleteRoleBody(Body):
    """删除角色：仍有人员使用时，其授权移至的角色."""

    move_to: OptionalId = None


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


class CompanyReviewBody(Body):
    """审单设置：开启二复核后，初审通过的报关单须由另一位具有二复核权限的人员审核."""

    second_review: Flag = False


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
    """消息列表：标签页、已读状态、仅星标、发送日期范围、分页."""

    category: Annotated[Text, Field(description="通知 notice / 预警 warning",
                                    json_schema_extra={"enum": ["notice", "warning"]})] = "notice"
    state: Annotated[Text, Field(description="空为全部；unread 未读；read 已读",
                                 json_schema_extra={"enum": ["", "unread", "read"]})] = ""
    starred: Annotated[Flag, Field(description="仅显示星标")] = False
    date_from: Annotated[Text, Field(alias="from", description="发送日期起（YYYY-MM-DD，含当日）")] = ""
    date_to: Annotated[Text, Field(alias="to", description="发送日期止（YYYY-MM-DD，含当日）")] = ""
    limit: Annotated[Limit, Field(json_schema_extra={"minimum": 1, "maximum": 100, "default": 20})] = 20


class DepartmentBody(Body):
    """部门：名称与上级部门（空为顶级部门）."""

    name: Text = ""
    parent_id: Annotated[OptionalId, Refusal(MSG_DEPT_PARENT)] = None


class DepartmentMoveBody(Body):
    """移动部门：新的上级部门（空为顶级部门）."""

    parent_id: Annotated[OptionalId, Refusal(MSG_DEPT_PARENT)] = None


class PeopleQuery(Body):
    """人员筛选：姓名、角色、状态（在职 active / 已移除 inactive）、注册时间范围."""

    name: Text = ""
    role_id: Annotated[OptionalId, Refusal("角色不存在或已被删除")] = None
    status: Annotated[Text, Field(json_schema_extra={"enum": ["active", "inactive"]})] = "active"
    joined_from: Annotated[OptionalDay, Refusal("请填写正确的日期")] = None
    joined_to: Annotated[OptionalDay, Refusal("请填写正确的日期")] = None


class PlacesBody(Body):
    """人员的部门（可多选）与主部门."""

    department_ids: Annotated[Ids, Refusal("所选部门不存在，请刷新页面后重新选择")] = Field(default_factory=list)
    primary_id: Annotated[OptionalId, Refusal("请在所选部门中指定一个主部门")] = None


class RemoveBody(Body):
    """移除人员：接手其未办结事项的同事."""

    colleague_id: Annotated[OptionalId, Refusal("接手人须是本企业在职的其他人员")] = None


class QuestionsQuery(PageQuery):
    """问题清单：分页."""

    limit: Annotated[Limit, Field(json_schema_extra={"minimum": 1, "maximum": 100, "default": 20})] = 20


class JoinAskBody(Body):
    """申请加入企业：统一社会信用代码或企业全称."""

    query: Text = ""


class JoinApproveBody(Body):
    """同意加入：可选的初始角色（加入后为关务人员）."""

    role_id: Annotated[OptionalId, Refusal("角色不存在或已被删除")] = None


class JoinRefuseBody(Body):
    reason: Text = ""


class JoinsQuery(Body):
    status: Annotated[Text, Field(json_schema_extra={"enum": ["pending", "approved", "refused", "all"]})] = "pending"


class LeaveBody(Body):
    """解除与企业的绑定."""

    enterprise_id: Annotated[Id, Refusal("请选择企业")]
