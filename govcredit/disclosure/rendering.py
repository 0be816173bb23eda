"""HTML for the portal's hot spots (result rows, pager, detail fields), built in Python.

Django's template engine spends tens of microseconds per variable and tag; a result page has
twenty rows of eight values plus two pagers, and on the 2-core reference machine that was the
largest single cost of a search request. These fragments are plain string building with every
value escaped (``html.escape``), marked safe once, and included by the templates.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django.utils.safestring import SafeString, mark_safe

from .masking import PublicField
from .search import Hit, ResultPage


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def hits_table(hits: Iterable[Hit], base: str, table_id: str = "portal-results") -> SafeString:
    """The result table; ``base`` is the portal's URL prefix (``/portal/`` or ``/en/portal/``)."""
    rows = []
    for h in hits:
        code = f'<div class="muted small">{_e(h.credit_code)}</div>' if h.credit_code else ""
        badge = ('<span class="badge s-异议中">异议中</span>' if h.objection
                 else '<span class="badge s-有效">公示中</span>')
        rows.append(f'<tr><td><a href="{_e(base)}{h.id}/">{_e(h.name)}</a>{code}</td><td>{_e(h.type_name)}</td>'
                    f'<td>{_e(h.decision_number)}</td><td>{_e(h.authority)}</td>'
                    f'<td class="nowrap">{h.decision_date.isoformat()}</td><td>{badge}</td></tr>')
    return mark_safe(  # noqa: S308 - every value above is escaped
        f'<table class="portal-hits" id="{_e(table_id)}"><thead><tr><th>名称</th><th>类别</th><th>决定文书号</th>'
        f'<th>决定机关</th><th>决定日期</th><th>状态</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def pager(result: ResultPage, querystring: str) -> SafeString:
    """“第 n / N 页，共 M 条” and the page links (at most MAX_PAGES pages)."""
    prefix = f"?{_e(querystring)}&amp;page=" if querystring else "?page="
    if result.capped:
        summary = f"共 {result.pages} 页，符合条件的结果超过 {result.max_results} 条"
    else:
        summary = f"第 {result.page} / {result.pages} 页，共 {result.total} 条"
    parts = [f'<span class="muted">{summary}</span>']
    if result.pages > 1:
        if result.has_previous:
            parts.append(f'<a href="{prefix}{result.page - 1}" rel="prev">上一页</a>')
        for n in result.page_numbers:
            parts.append(f'<strong aria-current="page">{n}</strong>' if n == result.page
                         else f'<a href="{prefix}{n}">{n}</a>')
        if result.has_next:
            parts.append(f'<a href="{prefix}{result.page + 1}" rel="next">下一页</a>')
    return mark_safe(f'<nav class="pager portal-pager" aria-label="分页">{"".join(parts)}</nav>')  # noqa: S308


def field_list(fields: Iterable[PublicField]) -> SafeString:
    """The detail page's ``<dt>``/``<dd>`` pairs; line breaks in a value are kept."""
    items = "".join(f"<dt>{_e(f.label)}</dt><dd>{_e(f.value).replace(chr(10), '<br>')}</dd>" for f in fields)
    return mark_safe(items)  # noqa: S308 - escaped above


def type_options(types: Iterable[str], selected: str) -> SafeString:
    """The ``<option>`` list of the type filter (“全部” first)."""
    options = ['<option value="">全部</option>']
    options += [f'<option value="{_e(t)}"{" selected" if t == selected else ""}>{_e(t)}</option>' for t in types]
    return mark_safe("".join(options))  # noqa: S308 - escaped above
