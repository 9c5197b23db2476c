"""Chinese labels and messages of the workspace feature: data scopes, role and grant refusals."""

from __future__ import annotations

from models.workspace import DataScope

DATA_SCOPE_LABELS = {DataScope.ALL: "全部", DataScope.DEPARTMENT: "本部门及下级", DataScope.SELF: "仅本人"}

MSG_ROLE_NAME = "请填写角色名称（不超过 30 个字）"
MSG_ROLE_NAME_TAKEN = "已有同名角色，请换一个名称"
MSG_ROLE_SCOPE = "请选择数据范围"
MSG_ROLE_NOT_FOUND = "角色不存在或已被删除"
MSG_ROLE_BUILTIN = "内置角色不能删除"
MSG_ROLE_ADMIN_FIXED = "企业管理员始终拥有全部权限，不能修改"
MSG_ROLE_BUILTIN_NAME = "内置角色不能改名"
MSG_ROLE_IN_USE = "该角色仍有人员使用，请先调整其人员"
MSG_GRANT_ROLE = "请选择要分配的角色"
MSG_GRANT_BUILTIN = "内置角色随人员类型确定，不能单独分配"
MSG_GRANT_FROM = "请填写开始时间"
MSG_GRANT_TO = "结束时间须晚于开始时间"
MSG_GRANT_NOT_FOUND = "授权不存在或已被撤销"
GRANT_ENDED, GRANT_ENDING = "已到期", "即将到期"
MSG_RENEW_TO = "续期的结束时间须晚于当前时间"
MSG_RENEW_OPEN = "该授权长期有效，无需续期"
MSG_PERSON_NOT_FOUND = "人员不存在或已被移除"
