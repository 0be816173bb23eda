"""The public portal's pages (信用南京-style): no login, Chinese, only what is disclosed, masked.

Rules live in :mod:`.search` (what is searched and shown), :mod:`.masking` (what of a record is
public) and :mod:`.ratelimit`; these views only turn requests into calls and results into pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from govcredit.subjects.identifiers import mask_name

from . import answers, rendering, search
from .detail import public_detail
from .ratelimit import MSG_LIMITED, retry_after


def _limited(request: HttpRequest, bucket: str, template: str,
             context: Callable[[], dict[str, Any]] = dict) -> HttpResponse | None:
    """The 429 page if the client is over its limit (``context`` builds the page's context only then)."""
    wait = retry_after(request, bucket)
    if wait is None:
        return None
    response = render(request, template, {**context(), "error": MSG_LIMITED}, status=429)
    response["Retry-After"] = str(wait)
    return response


@require_safe
def landing(request: HttpRequest) -> HttpResponse:
    """The portal's front page: the search box, the filters, and the newest disclosures."""
    latest = search.latest(10)
    return render(request, "disclosure/landing.html", {
        "search_form": rendering.search_form({}, search.public_type_names()),
        "latest": rendering.hits_table(latest, reverse("portal:landing")) if latest else "",
    })


@require_safe
def results(request: HttpRequest) -> HttpResponse:
    """Search results, 20 a page, at most 50 pages (whole pages are cached: see ``answers.page``)."""
    limited = _limited(request, "search", "disclosure/results.html", lambda: _form_context(*_search_context(request)))
    if limited is not None:
        return limited
    return answers.page(request, lambda: _results(request))


def _search_context(request: HttpRequest) -> tuple[dict[str, str], list[str]]:
    """The inputs as sent (cut to the longest allowed) and the type filter's choices."""
    return {k: str(v)[:search.form.MAX_INPUT] for k, v in request.GET.items()}, search.public_type_names()


def _form_context(form: dict[str, str], types: list[str]) -> dict[str, Any]:
    return {"search_form": rendering.search_form(form, types)}


def _results(request: HttpRequest) -> HttpResponse:
    sent, types = _search_context(request)
    try:
        criteria = search.parse_criteria(request.GET, type_names=types)
        result = answers.search(criteria)
    except search.SearchError as exc:
        return render(request, "disclosure/results.html", {**_form_context(sent, types), "error": exc.message},
                      status=exc.status)
    context = _form_context(criteria.form, types)
    params = request.GET.copy()
    params.pop("page", None)
    context["result"] = result
    query = criteria.form.get("q", "")
    if search.looks_like_full_name(query):
        context["name_hint"] = {"name": query, "masked": mask_name(query)}
    if result.hits:
        context["table"] = rendering.hits_table(result.hits, reverse("portal:landing"))
        context["pager"] = rendering.pager(result, params.urlencode())
    return render(request, "disclosure/results.html", context)


@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One disclosed record; 404 once withdrawn (expired, revoked, repaired) or never public."""
    limited = _limited(request, "detail", "disclosure/not_found.html")
    if limited is not None:
        return limited
    record = public_detail(pk)
    if record is None:
        return render(request, "disclosure/not_found.html", status=404)
    return render(request, "disclosure/detail.html", {
        "record": record, "body": rendering.detail_body(record, reverse("portal:landing")),
    })


@require_safe
def revoked(request: HttpRequest) -> HttpResponse:
    """撤销公示: decisions revoked, changed or found void, with the note that replaced them."""
    try:
        page = int(request.GET.get("page") or 1)
    except ValueError:
        page = 1
    notes = []
    if page > search.form.MAX_PAGES:
        notes.append(search.MSG_PAGE_CAP)
    page = min(max(page, 1), search.form.MAX_PAGES)
    pubs, total = search.revoked_page(page)
    rows = [{"name": p.public_name, "type_name": p.type_name, "number": p.decision_number,
             "authority": p.authority_name, "unpublished_at": p.unpublished_at, "note": p.public_note} for p in pubs]
    result = search.ResultPage(hits=[], total=total, page=page, notes=notes)
    return render(request, "disclosure/revoked.html", {"rows": rows, "result": result,
                                                       "pager": rendering.pager(result, "")})


@require_safe
def subject(request: HttpRequest, code: str) -> HttpResponse:
    """One subject (an organisation or a counterparty, by its credit code): all its disclosed records, the
    dishonesty records and the rewards told apart by colour and label; 404 when nothing of it is public."""
    limited = _limited(request, "detail", "disclosure/not_found.html")
    if limited is not None:
        return limited
    return answers.page(request, lambda: _subject(request, code))


POLARITIES = [("失信", gettext_lazy("失信信息")), ("守信", gettext_lazy("守信激励")), ("中性", gettext_lazy("其他公示信息"))]


def _subject(request: HttpRequest, code: str) -> HttpResponse:
    rows = search.subject_hits(code)
    if not rows:
        return render(request, "disclosure/not_found.html", status=404)
    groups = [{"polarity": polarity, "label": label, "rows": [r.hit for r in rows if r.polarity == polarity]}
              for polarity, label in POLARITIES]
    return render(request, "disclosure/subject.html", {
        "code": code, "name": rows[0].hit.name, "groups": groups, "capped": len(rows) >= search.form.MAX_RESULTS,
    })
