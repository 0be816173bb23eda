"""The JSON API: one NinjaAPI with a router per app; OpenAPI at /api/openapi.json, docs at /api/docs."""

from ninja import NinjaAPI

api = NinjaAPI(title="GovCredit 政务诚信信息平台 API", version="1.0", docs_url="/docs", openapi_url="/openapi.json")
