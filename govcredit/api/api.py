"""The JSON API: one NinjaAPI with a router per app; OpenAPI at /api/openapi.json, docs at /api/docs.

Each app registers its router from its ``apps.py`` (``api.common.register_router``); this module,
imported by the URL conf once every app is ready, mounts them and imports no app itself.

Every operation accepts an API token (``Authorization: Bearer gc_...``) or the browser's session.
"""

from django.utils.module_loading import import_string
from ninja import NinjaAPI

from govcredit.api.common import API_AUTH, install_error_handlers, registered_routers

DESCRIPTION = """
政务诚信信息平台的数据接口。

* **认证**：程序调用请在请求头中提供接口令牌 `Authorization: Bearer gc_...`（登录网站后通过 `POST /api/tokens` 创建，
  令牌全文只显示一次）；浏览器中已登录的会话也可直接调用，修改类请求需带 `X-CSRFToken` 请求头。
* **范围**：每个角色只能看到其管辖范围（本单位及下级）内的数据；范围以外的对象一律返回 404。
* **错误**：401 未登录或令牌无效，403 角色无权操作，404 不存在或不在范围内，
  422 输入有误（`{"detail": "输入有误", "errors": [{"field": ..., "message": ...}]}`）。
* **分页**：列表接口使用 `?page=&page_size=`，返回 `items`、`count`（总条数）、`page`、`page_size`。
* **个人信息**：完整身份证号仅对信用管理部门、组织人事部门返回；行政相对人中的自然人姓名和证件号码一律脱敏。
"""

api = NinjaAPI(title="GovCredit 政务诚信信息平台 API", version="1.0", docs_url="/docs", openapi_url="/openapi.json",
               description=DESCRIPTION, auth=API_AUTH)
install_error_handlers(api)

for prefix, router in registered_routers():
    api.add_router(prefix, import_string(router))
