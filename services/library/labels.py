"""Every Chinese text of the library feature, once."""

from __future__ import annotations

from models.library import IeFlag, LibraryMark, LibrarySource, UploadKind, UploadStatus

MARK_LABELS = {LibraryMark.STANDARD: "规范", LibraryMark.NONSTANDARD: "不规范", LibraryMark.MATCHED: "系统匹配",
               LibraryMark.CHOSEN: "企业自选"}
SOURCE_LABELS = {LibrarySource.AUDITED: "海关审核数据", LibrarySource.DECLARED: "企业申报数据",
                 LibrarySource.DECLARATION: "报关单"}
IE_LABELS = {IeFlag.IMPORT: "进口", IeFlag.EXPORT: "出口"}
UPLOAD_KIND_LABELS = {UploadKind.AUDITED: "审核数据", UploadKind.DECLARED: "申报数据"}
UPLOAD_STATUS_LABELS = {UploadStatus.QUEUED: "排队中", UploadStatus.RUNNING: "校验中", UploadStatus.DONE: "已完成",
                        UploadStatus.FAILED: "失败"}
AUDIT_CONCLUSIONS = {"规范": LibraryMark.STANDARD, "不规范": LibraryMark.NONSTANDARD}  # 审核结论 in an upload

MSG_UNKNOWN_HS = "商品编号在{version}版商品目录中不存在"
MSG_HS_SHAPE = "商品编号应为10位数字"
MSG_UNKNOWN_CODE = "{table}代码不存在：{code}"
MSG_IE_FLAG = "进出口标志应为 I（进口）或 E（出口）"
MSG_ENTRY_NUMBER = "海关编号应为18位数字"
MSG_ITEM_NUMBER = "项号应为1至999的整数"
MSG_CREDIT_CODE = "统一社会信用代码有误：{problem}"
MSG_ELEMENTS_TOO_MANY = "申报要素多于商品目录的{count}项（规格型号以“|”分隔，按目录顺序填写）"
MSG_ELEMENT_MISSING = "缺少必填申报要素：{names}"
MSG_ELEMENT_VALUE = "申报要素“{name}”的值“{value}”不在允许范围（{allowed}）内"
MSG_CONCLUSION = "审核结论应为“规范”或“不规范”"
MSG_REMARKS_REQUIRED = "审核结论为不规范时须填写审核意见"
MSG_DUPLICATE_IN_FILE = "与本文件第{row}行的海关编号和项号重复"
MSG_FUTURE_DATE = "申报日期不能晚于今天"
MSG_NUMBER_RANGE = "应为非负数，整数部分不超过{digits}位"
MSG_NO_CATALOGUE = "尚未导入商品目录，请先运行 qingling load-data"
MSG_ERROR_COLUMN = "错误说明"
MSG_UPLOADERS_ONLY = "仅科长（监管）及管理员账号可以上传和查询规范申报库数据"
MSG_FILE_TOO_LARGE = "文件超过 20 MB，请拆分后分批上传"
MSG_FILE_EMPTY = "请选择要上传的 Excel 文件"
MSG_NOT_XLSX = "文件不是 Excel（.xlsx）格式，请使用下载的模板"
MSG_WRONG_HEADERS = "表头与模板不符，缺少列：{columns}。请下载最新模板"
MSG_UPLOAD_NOT_FOUND = "上传记录不存在或无权查看"
MSG_OFFICE_OUT_OF_SCOPE = "申报地海关不在您的关区范围内"
MSG_CHOOSE = "请从列表中选择"

# The enterprise and public libraries
ROLE_LABELS = {"": "全部", "declarant": "申报单位", "consignee": "收发货人"}
MSG_HS_PREFIX = "商品编号应为4、6、8或10位数字"
MSG_KEYWORD_LONG = "关键字不能超过30个字"
MSG_KEYWORD_SHORT = "关键字请至少输入两个连续的字（空格、| 等分隔符不算）"
MSG_DATE_ORDER = "开始日期不能晚于结束日期"
MSG_CURSOR = "分页参数有误，请从第一页重新查询"
MSG_NOT_AUTHORISED = "尚未获得法人卡授权，无法使用规范申报企业专属库"
MSG_AUTHORISE_HOW = ("企业库仅向已获法人卡授权的人员开放：请企业管理员在“法人卡授权”页面插入法人卡，"
                     "选择“海关进出口商品规范申报企业专属库”并勾选需要使用的人员，授权后刷新本页即可。")
MSG_ROW_NOT_FOUND = "数据不存在或不属于本企业"
MSG_CHOOSE_MATCHED_ONLY = "只有系统匹配数据可以设为自选"
MSG_UNCHOOSE_CHOSEN_ONLY = "只有企业自选数据可以取消自选"
MSG_PUBLIC_STANDARD_ONLY = "只有规范数据可以设置公开状态"
MSG_ROW_CHANGED = "该数据刚被他人修改，请刷新后重试"
MSG_NOTE_LONG = "备注不能超过300个字"
MSG_NO_ELEMENTS = "当前商品目录中没有该商品编号，无法对照申报要素"
MSG_EXPORT_QUEUED = "导出数据较多，已转为后台任务，完成后可在本页下载"
MSG_EXPORT_RUNNING = "导出文件尚未生成完毕，请稍后再下载"
LIBRARY_LINK = "/workbench/library"
MONTH = "{year}年{month}月"
MSG_MONTHLY_TITLE = "规范申报月报：{month}"
MSG_MONTHLY_REVIEWED = "海关审核 {count} 条（{change}）：{link}"
MSG_MONTHLY_DECLARANT = "其中作为申报单位 {count} 条：{link}"
MSG_MONTHLY_CONSIGNEE = "作为收发货人 {count} 条：{link}"
MSG_MONTHLY_NONSTANDARD = "不规范 {count} 条（{change}）：{link}"
MSG_CHANGE_UP = "较上月增加 {n} 条"
MSG_CHANGE_DOWN = "较上月减少 {n} 条"
MSG_CHANGE_NONE = "与上月持平"
CHANGE_KINDS = {"gained": "新增要素", "lost": "减少要素", "reordered": "要素顺序调整", "expired": "已失效"}
MSG_CHANGE_TITLE = "商品目录{version}版：贵企业{count}个商品编号的申报要素有变化"
MSG_CHANGE_INTRO = "以下商品编号在{version}版商品目录中有变化，相关数据已按新版目录重新校验，请核对后按新要素申报。"
MSG_CHANGE_LINE = "{hs}：{what}（{rows}条）：{link}"
MSG_CHANGE_NAMES = "{kind}：{names}"
MSG_CHANGE_EXPIRED = "已失效（{version}版目录中无此编号）"
MSG_CHANGE_MORE = "另有 {count} 个商品编号有变化，请在规范申报库中按商品编号查询。"
