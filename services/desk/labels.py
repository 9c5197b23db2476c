"""Chinese labels of the desk feature: the audit log's objects, actions, actors and details; office kinds.

Audit actions are the keys ``services.desk.audit.record`` writes (tests/unit/test_audit_labels.py scans the code
so that every one of them has a label here).
"""

from __future__ import annotations

from models.offices import OfficeKind

SYSTEM_NAME = "系统"  # the scheduler or the command line, as the actor of an audit entry or a timeline entry
OFFICE_KIND_LABELS = {OfficeKind.DIRECT: "直属海关", OfficeKind.SUBORDINATE: "隶属海关", OfficeKind.DEPARTMENT: "部门"}
OBJECT_LABELS = {
    "question": "问题", "registration": "注册申请", "customs_account": "海关账号", "customs_office": "海关/部门",
    "question_type": "问题类型", "business_category": "业务类别", "outbox_message": "通知", "person": "企业用户",
    "enterprise": "企业", "membership": "企业成员", "workspace_role": "企业角色", "role_grant": "人员角色授权",
    "company_settings": "企业设置",
    "local_account": "本地账号", "central_link": "单一窗口账号",
    "card_binding": "卡介质", "module_authorisation": "模块授权", "sms_alert": "短信配置错误",
    "department": "部门", "join_request": "加入企业申请", "person_form_preferences": "个人表单设置",
    "company_form_defaults": "企业表单默认设置", "library_row": "规范申报数据", "library_upload": "规范申报数据上传",
    "declaration": "报关单",
}
ACTION_LABELS = {
    "question.accept": "受理问题", "question.reply": "回复问题", "question.forward": "转交问题",
    "question.publish": "公开问题", "question.unpublish": "取消公开",
    "registration.approved": "注册审核通过", "registration.rejected": "注册审核驳回",
    "registration.card": "凭卡注册", "registration.form": "提交注册申请", "registration.wechat": "微信内提交注册申请",
    "customs.sign_in": "登录工作台", "customs.sign_in_failed": "登录失败", "customs.locked": "账号锁定",
    "customs_account.create": "新建海关账号", "customs_account.update": "修改海关账号",
    "customs_account.reset_password": "重置密码", "customs_account.unlock": "解锁账号",
    "customs_account.wechat_bind": "绑定微信提醒", "customs_account.wechat_unbind": "解除微信提醒",
    "customs_office.create": "新建海关/部门", "customs_office.rename": "修改海关/部门名称",
    "customs_office.accepts_questions": "设置受理单位", "customs_office.activate": "启用海关/部门",
    "customs_office.deactivate": "停用海关/部门",
    "question_type.create": "新建问题类型", "question_type.rename": "修改问题类型",
    "question_type.move": "调整问题类型顺序", "question_type.activate": "启用问题类型",
    "question_type.deactivate": "停用问题类型",
    "business_category.create": "新建业务类别", "business_category.rename": "修改业务类别",
    "business_category.move": "调整业务类别顺序", "business_category.activate": "启用业务类别",
    "business_category.deactivate": "停用业务类别",
    "sms_alert.resolve": "标记短信配置错误已处理",
    "outbox.retry": "重发通知", "wechat.bind": "企业用户绑定微信", "wechat.unbind": "企业用户解除微信绑定",
    "customs_account.activate": "启用海关账号", "customs_account.deactivate": "停用海关账号",
    "people.add": "企业添加人员", "people.edit": "企业修改人员", "people.remove": "企业移除人员",
    "role.add": "企业新增角色", "role.edit": "企业修改角色", "role.delete": "企业删除角色",
    "role.grant": "企业为人员分配角色", "role.revoke": "企业撤销人员角色", "role.renew": "企业为人员角色续期",
    "company.info": "企业修改企业及开票信息", "company.logo": "企业更换LOGO", "company.seal": "企业更换印章",
    "company.switches": "企业修改业务设置", "company.review": "企业修改二复核设置",
    "company.carousel": "企业修改企业风采轮播图",
    "company.links": "企业修改企业风采链接",
    "membership.join": "加入企业", "local_account.create": "注册本地账号", "local_account.sign_in": "本地账号登录",
    "local_account.sign_in_failed": "本地账号登录失败", "local_account.locked": "本地账号锁定",
    "central_link.link": "绑定单一窗口账号", "central_link.unlink": "解除单一窗口账号绑定",
    "card.bind": "绑定卡介质", "card.authorise": "法人卡授权", "card.revoke": "撤销授权",
    "join.ask": "申请加入企业", "join.approved": "同意加入企业申请", "join.refused": "拒绝加入企业申请",
    "join.member": "企业通过申请添加人员", "person.departments": "企业设置人员部门",
    "person.remove": "企业移除人员并移交事项", "person.leave": "人员解除企业绑定",
    "department.add": "新增部门", "department.rename": "修改部门名称", "department.move": "调整部门上级",
    "department.delete": "删除部门",
    "personal.profile": "修改个人资料", "personal.avatar": "更换头像", "personal.stamp": "更换报关员章",
    "personal.avatar_removed": "删除头像", "personal.stamp_removed": "删除报关员章",
    "personal.phone": "更换手机号", "personal.password": "修改密码", "personal.local_account": "开通本地账号",
    "personal.preferences": "修改表单设置", "personal.preferences_reset": "表单设置恢复企业默认",
    "company.form_defaults": "修改企业表单默认设置",
    "library.choose": "设为企业自选", "library.unchoose": "撤销企业自选", "library.publish": "公开规范数据",
    "library.withdraw": "撤回公开", "library_upload": "上传规范申报数据",
    "declaration.print": "打印报关单", "declaration.print_notice": "打印放行通知书",
}
ACTOR_KIND_LABELS = {"customs": "海关", "person": "企业", "system": SYSTEM_NAME}
DETAIL_LABELS = {"reply_kind": "回复类型", "reason": "原因", "from_office": "原部门", "to_office": "转至",
                 "title": "标题", "name": "名称", "old": "原名称", "via": "方式", "role": "角色", "office": "单位",
                 "new": "新值", "module": "模块", "credit_code": "统一社会信用代码", "card_no": "卡号",
                 "card_type": "卡类型", "username": "用户名", "document": "单证", "stamp": "报关员章",
                 "seal": "企业印章", "number": "系统编号"}
