"""HTML for the portal's hot spots (result rows, pager, detail fields), built in Python.

Django's template engine spends tens of microseconds per variable and tag; a result page has
twenty rows of eight values plus two pagers, and on the 2-core reference machine that was the
largest single cost of a search request. These fragments are plain string building with every
value escaped (``html.escape``), marked safe once, and included by the templates.

The fixed labels (column headings, the pager's words, the status badges, “全部”) are translated with
``gettext`` in the active language, like the templates' ``{% translate %}``; the values (names,
numbers, authorities, catalog type names and field labels) are data and stay as stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .masking import PublicField
from .search import Hit, ResultPage


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def hits_table(hits: Iterable[Hit], base: str, table_id: str = "portal-results") -> SafeString:
    """The result table; ``base`` is the portal's URL prefix (``/portal/`` or ``/en/portal/``)."""
    # gettext calls stay outside the f-strings: xgettext (makemessages) does not look inside them.
    objection, shown = _e(_("异议中")), _e(_("公示中"))
    objection = f'<span class="badge s-异议中">{objection}</span>'
    shown = f'<span class="badge s-有效">{shown}</span>'
    rows = []
    for h in hits:
        code = (f'<div class="small"><a class="muted" href="{_e(base)}subjects/{_e(h.credit_code)}/">'
                f'{_e(h.credit_code)}</a></div>' if h.credit_code else "")
        badge = objection if h.objection else shown
        rows.append(f'<tr><td><a href="{_e(base)}{h.id}/">{_e(h.name)}</a>{code}</td><td>{_e(h.type_name)}</td>'
                    f'<td>{_e(h.decision_number)}</td><td>{_e(h.authority)}</td>'
                    f'<td class="nowrap">{h.decision_date.isoformat()}</td><td>{badge}</td></tr>')
    head = "".join(f"<th>{_e(label)}</th>" for label in (
        _("名称"), _("类别"), _("决定文书号"), _("决定机关"), _("决定日期"), _("状态")))
    return mark_safe(  # noqa: S308 - every value above is escaped
        f'<table class="portal-hits" id="{_e(table_id)}"><thead><tr>{head}</tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table>')


def pager(result: ResultPage, querystring: str) -> SafeString:
    """“第 n / N 页，共 M 条” and the page links (at most MAX_PAGES pages)."""
    prefix = f"?{_e(querystring)}&amp;page=" if querystring else "?page="
    if result.capped:
        summary = _("共 %(pages)s 页，符合条件的结果超过 %(max)s 条") % {
            "pages": result.pages, "max": result.max_results}
    else:
        summary = _("第 %(n)s / %(total)s 页，共 %(count)s 条") % {
            "n": result.page, "total": result.pages, "count": result.total}
    parts = [f'<span class="muted">{_e(summary)}</span>']
    if result.pages > 1:
        previous, following = _e(_("上一页")), _e(_("下一页"))
        if result.has_previous:
            parts.append(f'<a href="{prefix}{result.page - 1}" rel="prev">{previous}</a>')
        for n in result.page_numbers:
            parts.append(f'<strong aria-current="page">{n}</strong>' if n == result.page
                         else f'<a href="{prefix}{n}">{n}</a>')
        if result.has_next:
            parts.append(f'<a href="{prefix}{result.page + 1}" rel="next">{following}</a>')
    label = _e(_("分页"))
    return mark_safe(f'<nav class="pager portal-pager" aria-label="{label}">{"".join(parts)}</nav>')  # noqa: S308


def field_list(fields: Iterable[PublicField]) -> SafeString:
    """The detail page's ``<dt>``/``<dd>`` pairs; line breaks in a value are kept."""
    items = "".join(f"<dt>{_e(f.label)}</dt><dd>{_e(f.value).replace(chr(10), '<br>')}</dd>" for f in fields)
    return mark_safe(items)  # noqa: S308 - escaped above


def type_options(types: Iterable[str], selected: str) -> SafeString:
    """The ``<option>`` list of the type filter (“全部” first)."""
    everything = _e(_("全部"))
    options = [f'<option value="">{everything}</option>']
    options += [f'<option value="{_e(t)}"{" selected" if t == selected else ""}>{_e(t)}</option>' for t in types]
    return mark_safe("".join(options))  # noqa: S308 - escaped above
