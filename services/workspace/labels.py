"""Chinese labels and messages of the workspace feature: data scopes, roles and grants, departments, people, join
requests and 我的企业."""

from __future__ import annotations

from models.workspace import DataScope
from services.accounts.labels import MSG_PERSON_NOT_FOUND as MSG_PERSON_NOT_FOUND

DATA_SCOPE_LABELS = {DataScope.ALL: "全部", DataScope.DEPARTMENT: "本部门及下级", DataScope.SELF: "仅本人"}

MSG_ROLE_NAME = "请填写角色名称（不超过 30 个字）"
MSG_ROLE_NAME_TAKEN = "已有同名角色，请换一个名称"
MSG_ROLE_SCOPE = "请选择数据范围"
MSG_ROLE_NOT_FOUND = "角色不存在或已被删除"
MSG_ROLE_BUILTIN = "内置角色不能删除"
MSG_ROLE_ADMIN_FIXED = "企业管理员始终拥有全部权限，不能修改"
MSG_ROLE_BUILTIN_NAME = "内置角色不能改名"
MSG_ROLE_IN_USE = "该角色仍有人员使用，请选择将其人员移至哪个角色后再删除"
MSG_ROLE_MOVE_TARGET = "请选择本企业的另一个自定义角色"
MSG_GRANT_ROLE = "请选择要分配的角色"
MSG_GRANT_BUILTIN = "内置角色随人员类型确定，不能单独分配"
MSG_GRANT_FROM = "请填写开始时间"
MSG_GRANT_TO = "结束时间须晚于开始时间"
MSG_GRANT_NOT_FOUND = "授权不存在或已被撤销"
GRANT_ENDED, GRANT_ENDING = "已到期", "即将到期"
MSG_RENEW_TO = "续期的结束时间须晚于当前时间"
MSG_RENEW_OPEN = "该授权长期有效，无需续期"

MSG_DEPT_NAME = "请填写部门名称（不超过 30 个字）"
MSG_DEPT_NAME_TAKEN = "同一上级部门下已有同名部门"
MSG_DEPT_NOT_FOUND = "部门不存在或已被删除"
MSG_DEPT_PARENT = "上级部门不存在，请重新选择"
MSG_DEPT_UNDER_ITSELF = "不能把部门移到它自己或它的下级部门之下"
MSG_DEPT_TOO_DEEP = "部门层级不能超过 8 级"
MSG_DEPT_HAS_CHILDREN = "该部门下还有下级部门，请先删除或移走下级部门"
MSG_DEPT_HAS_PEOPLE = "该部门还有人员，请先把人员调到其他部门"
MSG_DEPT_CHOOSE = "所选部门不存在，请刷新页面后重新选择"
MSG_DEPT_PRIMARY = "请在所选部门中指定一个主部门"

PERSON_STATUS_LABELS = {"active": "在职", "inactive": "已移除"}
MSG_FILTER_STATUS = "请选择在职或已移除"
MSG_FILTER_PERIOD = "结束日期不能早于开始日期"
MSG_REMOVE_SELF = "不能移除您自己"
MSG_REMOVE_LAST_ADMIN = "这是企业唯一的管理员，不能移除"
OPEN_QUESTIONS = "问题"  # the open items of that kind, on the removal page
MSG_HANDOVER_CHOOSE = "该人员还有未办结事项，请选择接手的同事"
MSG_HANDOVER_COLLEAGUE = "接手人须是本企业在职的其他人员"

MSG_JOIN_QUERY = "请输入统一社会信用代码或企业全称"
MSG_JOIN_NO_MATCH = "没有找到该企业，请核对统一社会信用代码或企业全称"
MSG_JOIN_ALREADY_MEMBER = "您已是该企业人员"
MSG_JOIN_PENDING = "您已提交过加入该企业的申请，请等待企业管理员审批"
MSG_JOIN_NOT_FOUND = "加入申请不存在"
MSG_JOIN_DECIDED = "该申请已处理"
MSG_JOIN_REASON = "请填写拒绝原因（不超过 200 个字）"
MSG_JOIN_CLOSED = "该企业暂不能加入"
JOIN_STATUS_LABELS = {"pending": "待审批", "approved": "已通过", "refused": "已拒绝"}
MSG_LEAVE_LAST_ADMIN = "您是该企业唯一的管理员，不能解除绑定，请先指定其他管理员"
MSG_LEAVE_CURRENT = "请先切换到其他企业，再解除与当前企业的绑定"
MSG_LEAVE_NOT_MEMBER = "您不是该企业人员"
