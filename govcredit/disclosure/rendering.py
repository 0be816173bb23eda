"""HTML for the portal's hot spots (result rows, pager, the search form, the detail page's content), built in Python.

Django's template engine spends tens of microseconds per variable and tag; a result page has
twenty rows of eight values plus two pagers, and on the 2-core reference machine that was the
largest single cost of a search request. These fragments are plain string building with every
value escaped (``html.escape``), marked safe once, and included by the templates.

The fixed labels (column headings, the pager's words, the status badges, “全部”) are translated with
``gettext`` in the active language, like the templates' ``{% translate %}``, and the catalog's type
names and field labels with ``catalog.i18n``; the values (names, numbers, authorities, record
contents) are data, stay as stored and are marked ``translate="no"`` (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from govcredit.catalog.i18n import field_label_by_name, type_name_of

from .detail import PublicDetail
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
        rows.append(f'<tr><td translate="no"><a href="{_e(base)}{h.id}/">{_e(h.name)}</a>{code}</td>'
                    f'<td>{_e(type_name_of(h.type_name))}</td>'
                    f'<td translate="no">{_e(h.decision_number)}</td><td translate="no">{_e(h.authority)}</td>'
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


def _label(type_zh_name: str, label: str) -> str:
    """A field's label in the page's language: the catalog's own fields, or the portal's (公开日期 …)."""
    translated = field_label_by_name(type_zh_name, label)
    return _(label) if translated == label else translated


def field_list(fields: Iterable[PublicField], type_zh_name: str = "") -> SafeString:
    """The detail page's ``<dt>``/``<dd>`` pairs; line breaks in a value are kept."""
    items = "".join(f"<dt>{_e(_label(type_zh_name, f.label))}</dt>"
                    f"<dd translate=\"no\">{_e(f.value).replace(chr(10), '<br>')}</dd>" for f in fields)
    return mark_safe(items)  # noqa: S308 - escaped above


def detail_body(record: PublicDetail, home: str) -> SafeString:
    """The detail page's content: breadcrumb, name, status badge, the fields and the withdrawal note.

    ``home`` is the portal's front page in the active language (``/portal/`` or ``/en/portal/``).
    """
    home_label, note = _e(_("首页")), _e(_("公示期满、决定被撤销或信用修复后，本信息将依法撤下。"))
    if record.objection:
        badge, hint = _e(_("异议中")), _e(_("该信息已有异议申请，正在核查处理中。"))
        status = (f'<span class="badge s-异议中" id="portal-status">{badge}</span>\n'
                  f'  <span class="muted small">{hint}</span>')
    else:
        shown = _e(_("公示中"))
        status = f'<span class="badge s-有效" id="portal-status">{shown}</span>'
    type_name = _e(type_name_of(record.type_name))
    return mark_safe(  # noqa: S308 - every value is escaped (field_list escapes the fields)
        f'<p class="breadcrumb"><a href="{_e(home)}">{home_label}</a> › {type_name}</p>\n'
        f'<h1 id="portal-title" translate="no">{_e(record.name)}</h1>\n'
        f'<p>\n  <span class="badge">{type_name}</span>\n  {status}\n</p>\n'
        f'<section class="card">\n  <dl class="fields" id="portal-fields">'
        f'{field_list([*record.fields, *record.publicity], record.type_name)}</dl>\n</section>\n'
        f'<p class="muted small">{note}</p>')


def type_options(types: Iterable[str], selected: str) -> SafeString:
    """The ``<option>`` list of the type filter (“全部” first)."""
    everything = _e(_("全部"))
    options = [f'<option value="">{everything}</option>']
    options += [f'<option value="{_e(t)}"{" selected" if t == selected else ""}>{_e(type_name_of(t))}</option>'
                for t in types]
    return mark_safe("".join(options))  # noqa: S308 - escaped above


#: The filters behind “更多条件”: the box starts open when any of them is filled in.
_FILTERS = ("number", "authority", "type", "from", "to", "code")


def search_form(form: Mapping[str, str], types: Iterable[str]) -> SafeString:
    """The search box and its filters, filled in with ``form`` (the inputs as the page shows them again)."""
    def value(key: str) -> str:
        return _e(form.get(key) or "")

    labels = {key: _e(text) for key, text in (
        ("placeholder", _("输入名称（至少两个字）或统一社会信用代码")), ("q", _("名称或统一社会信用代码")),
        ("submit", _("查询")), ("more", _("更多条件")), ("code", _("统一社会信用代码")), ("number", _("决定文书号")),
        ("number_hint", _("文书号或其开头部分")), ("authority", _("决定机关")),
        ("authority_hint", _("如：玄武区市场监督管理局")), ("type", _("类别")), ("from", _("决定日期起")),
        ("to", _("决定日期止")))}
    opened = " open" if any(form.get(key) for key in _FILTERS) else ""
    return mark_safe(  # noqa: S308 - every value and label is escaped
        f'<form class="portal-search" method="get" action="{_e(reverse("portal:search"))}" role="search">\n'
        f'  <div class="portal-box">\n'
        f'    <input type="search" name="q" id="portal-q" value="{value("q")}" maxlength="50" autocomplete="off"\n'
        f'           placeholder="{labels["placeholder"]}" aria-label="{labels["q"]}">\n'
        f'    <button type="submit" id="portal-submit">{labels["submit"]}</button>\n'
        f'  </div>\n'
        f'  <details class="portal-more"{opened}>\n'
        f'    <summary>{labels["more"]}</summary>\n'
        f'    <div class="portal-filters">\n'
        f'      <label>{labels["code"]}<input name="code" value="{value("code")}" maxlength="50"></label>\n'
        f'      <label>{labels["number"]}<input name="number" value="{value("number")}" maxlength="50" '
        f'placeholder="{labels["number_hint"]}"></label>\n'
        f'      <label>{labels["authority"]}<input name="authority" value="{value("authority")}" maxlength="50" '
        f'placeholder="{labels["authority_hint"]}"></label>\n'
        f'      <label>{labels["type"]}<select name="type">{type_options(types, form.get("type") or "")}</select></label>\n'
        f'      <label>{labels["from"]}<input type="date" name="from" value="{value("from")}"></label>\n'
        f'      <label>{labels["to"]}<input type="date" name="to" value="{value("to")}"></label>\n'
        f'    </div>\n'
        f'  </details>\n'
        f'</form>')
