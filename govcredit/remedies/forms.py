"""Forms of the objection and repair pages (the rules are in the services; these only parse)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Ground
from .services import MAX_FILES, REFUSAL_RULES, Upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); the services check each file's content."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def uploads(files: list[UploadedFile], limit: int) -> list[Upload]:
    """(name, bytes) of each file, read up to one byte past the limit (the service refuses larger ones)."""
    return [(f.name or "", f.read(limit + 1)) for f in files]


GROUNDS = [(g.value, g.label) for g in Ground]
# Interpolated when shown, in the page's language (``gettext_lazy(...) % ...`` would fix it at import time).
ATTACHMENTS_LABEL = lazy(lambda: gettext("证明材料（PDF、JPEG、PNG，最多 %(n)s 个）") % {"n": MAX_FILES}, str)()


class ObjectionForm(forms.Form):
    ground = forms.ChoiceField(label=_("异议理由类别"), choices=GROUNDS)
    reasons = forms.CharField(label=_("异议理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    attachments = MultipleFileField(label=ATTACHMENTS_LABEL, required=False)


class PortalObjectionForm(ObjectionForm):
    applicant_name = forms.CharField(label=_("申请人姓名或名称"), max_length=200)
    contact = forms.CharField(label=_("联系电话或电子邮箱"), max_length=100)
    verification = forms.CharField(label=_("统一社会信用代码或身份证号码（须与公示信息所载一致）"), max_length=40,
                                   widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}))


class RepairForm(forms.Form):
    corrected = forms.CharField(label=_("纠正失信行为、履行法定义务的情况"), max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 4}))
    commitment = forms.FileField(label=_("签署后的信用承诺书（PDF、JPEG、PNG）"),
                                 widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
    attachments = MultipleFileField(label=_("其他证明材料（可选）"), required=False)


OBJECTION_ACTIONS = [("accept", _("受理")), ("refuse", _("不予受理")), ("extend", _("延长核查期限（一次）")),
                     ("correct", _("更正记录")), ("revoke", _("撤销记录")), ("uphold", _("维持原记录"))]
REPAIR_ACTIONS = [("accept", _("受理")), ("refuse", _("不予受理")), ("approve", _("准予修复")),
                  ("reject", _("不予修复"))]


class ObjectionActionForm(forms.Form):
    action = forms.ChoiceField(label=_("办理"), choices=OBJECTION_ACTIONS)
    reason = forms.CharField(label=_("理由（申请人可见）"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class RepairActionForm(forms.Form):
    action = forms.ChoiceField(label=_("办理"), choices=REPAIR_ACTIONS)
    reason = forms.CharField(label=_("理由（申请人可见）"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    rule = forms.CharField(label=_("不予受理或不予修复的依据"), max_length=200, required=False,
                           widget=forms.TextInput(attrs={"list": "refusal-rules"}))
    rules = REFUSAL_RULES


class TrackForm(forms.Form):
    number = forms.CharField(label=_("申请编号"), max_length=20)
    code = forms.CharField(label=_("查询码"), max_length=20)
