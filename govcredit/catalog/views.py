from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from govcredit.accounts import access

from .forms import VersionForm
from .models import RecordType
from .services import VERSION_KEYS, CatalogError, publish_version

DATA_FIELDS = ("source_category", "severities", "field_specs", "description", "submitters", "subject_kinds")


@login_required
def type_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.READ_CATALOG)
    types = RecordType.objects.prefetch_related("versions")
    return render(request, "catalog/type_list.html", {"types": types})


@login_required
def type_detail(request: HttpRequest, code: str) -> HttpResponse:
    access.require(request.user, access.READ_CATALOG)
    rtype = get_object_or_404(RecordType, code=code)
    versions = rtype.versions.order_by("-version")
    return render(request, "catalog/type_detail.html", {
        "rtype": rtype, "current": versions.first(), "versions": versions,
        "can_manage": access.has(request.user, access.MANAGE_CATALOG),
    })


DATA_FIELDS = ("source_category", "severities", "field_specs", "description", "submitters", "subject_kinds")


@login_required
def version_create(request: HttpRequest, code: str) -> HttpResponse:
    access.require(request.user, access.MANAGE_CATALOG)
    rtype = get_object_or_404(RecordType, code=code)
    current = rtype.current()
    initial = {k: getattr(current, k) for k in VERSION_KEYS}
    initial["field_specs"] = initial.pop("fields")
    form = VersionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        data["fields"] = data.pop("field_specs")
        try:
            version = publish_version(rtype, data, actor=request.user, reason=reason)
        except CatalogError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("已发布 %(version)s；按旧版本录入的记录不受影响。") % {"version": version})
            return redirect("catalog:type_detail", code=code)
    return render(request, "catalog/version_form.html", {"rtype": rtype, "form": form, "current": current,
                                                        # the catalog as stored (Chinese): data, not interface
                                                        "data_fields": DATA_FIELDS})
