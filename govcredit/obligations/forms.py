from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from govcredit.subjects.models import Organization

from .models import Milestone, MilestoneRule, ObligationStatus

SHOW_CHOICES = [("owed", _("未履行")), *ObligationStatus.choices, ("all", _("全部"))]
SEVERITY_CHOICES = [("一般", _("一般")), ("严重", _("严重"))]


class ObligationFilter(forms.Form):
    show = forms.ChoiceField(label=_("状态"), choices=SHOW_CHOICES, required=False)
    q = forms.CharField(label=_("编号、事项或债权人"), max_length=50, required=False)


class ConfirmForm(forms.Form):
    severity = forms.ChoiceField(label=_("严重程度"), choices=SEVERITY_CHOICES)
    decision_number = forms.CharField(label=_("认定文号"), max_length=100, required=False,
                                      help_text=_("留空则用履约事项编号"))
    include_person = forms.BooleanField(label=_("同时认定责任人"), required=False, initial=True)
    reason = forms.CharField(label=_("认定理由"), widget=forms.Textarea(attrs={"rows": 3}))


class DismissForm(forms.Form):
    reason = forms.CharField(label=_("驳回理由"), widget=forms.Textarea(attrs={"rows": 3}))


class TrackForm(forms.Form):
    reference = forms.CharField(label=_("编号"), max_length=60)
    code = forms.CharField(label=_("查询码"), max_length=20)
    complaint = forms.CharField(label=_("投诉内容（如需投诉拖欠款项）"), widget=forms.Textarea(attrs={"rows": 3}),
                                required=False, max_length=1000)


# --- contract entry (a buying department's data officer) --------------------------------------------

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
AMOUNT = forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"})
MILESTONE_ROWS = 3


class OrgChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class ContractFilter(forms.Form):
    q = forms.CharField(label=_("合同编号、名称或供应商"), max_length=50, required=False)


class ContractForm(forms.Form):
    number = forms.CharField(label=_("合同编号"), max_length=60)
    name = forms.CharField(label=_("合同名称"), max_length=200)
    supplier_name = forms.CharField(label=_("供应商名称"), max_length=200)
    supplier_code = forms.CharField(label=_("供应商统一社会信用代码"), max_length=18, required=False)
    supplier_is_sme = forms.BooleanField(label=_("中小企业（供应商声明）"), required=False)
    supplier_is_person = forms.BooleanField(label=_("供应商为自然人"), required=False)
    amount = forms.DecimalField(label=_("合同金额（元）"), max_digits=16, decimal_places=2, min_value=Decimal("0.01"),
                                widget=AMOUNT)
    signed_on = forms.DateField(label=_("签订日期"), widget=DATE)
    payment_days = forms.IntegerField(label=_("付款期限（日）"), min_value=1, max_value=365, initial=30)
    inspection_days = forms.IntegerField(label=_("约定检验验收期限（日）"), min_value=0, max_value=365, required=False)
    agreed_daily_rate = forms.DecimalField(label=_("约定逾期利率（日，如 0.0005）"), max_digits=10, decimal_places=8,
                                           min_value=0, required=False, widget=forms.NumberInput(attrs={"step": "any"}),
                                           help_text=_("不填按每日万分之五计算"))
    lpr_at_signing = forms.DecimalField(label=_("签订时一年期LPR（年，如 0.031）"), max_digits=8, decimal_places=6,
                                        min_value=0, required=False, widget=forms.NumberInput(attrs={"step": "any"}))

    def __init__(self, *args: Any, orgs: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        buyer = OrgChoice(queryset=orgs if orgs is not None else Organization.objects.none(), label=_("采购单位"),
                          widget=forms.Select(attrs={"translate": "no"}))
        self.fields = {"buyer": buyer, **self.fields}
        for i in range(1, MILESTONE_ROWS + 1):
            first = i == 1
            self.fields[f"m{i}_label"] = forms.CharField(
                label=_("第 %(n)s 期款项") % {"n": i}, max_length=100, required=first,
                initial=_("全款") if first else "")
            self.fields[f"m{i}_amount"] = forms.DecimalField(
                label=_("第 %(n)s 期金额（元）") % {"n": i}, max_digits=16, decimal_places=2,
                min_value=Decimal("0.01"), required=first, widget=AMOUNT)
            self.fields[f"m{i}_rule"] = forms.ChoiceField(label=_("第 %(n)s 期起算") % {"n": i},
                                                          choices=MilestoneRule.choices, required=first)

    def milestones(self) -> list[tuple[str, Decimal, str]]:
        d = self.cleaned_data
        out = []
        for i in range(1, MILESTONE_ROWS + 1):
            label, amount = (d.get(f"m{i}_label") or "").strip(), d.get(f"m{i}_amount")
            if label and amount is not None:
                out.append((label, amount, d.get(f"m{i}_rule") or MilestoneRule.DELIVERY.value))
        return out

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(2, MILESTONE_ROWS + 1):
            if bool((data.get(f"m{i}_label") or "").strip()) != (data.get(f"m{i}_amount") is not None):
                self.add_error(f"m{i}_amount", _("请同时填写款项和金额"))
        return data


class DeliveryForm(forms.Form):
    delivered_on = forms.DateField(label=_("交付日期"), widget=DATE, required=False)
    accepted_on = forms.DateField(label=_("检验验收合格日期"), widget=DATE, required=False)
    reason = forms.CharField(label=_("说明"), max_length=500, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("delivered_on") and not data.get("accepted_on"):
            raise forms.ValidationError(_("请填写交付日期或检验验收合格日期"))
        return data


class DelayForm(forms.Form):
    reason = forms.CharField(label=_("说明（如：采购人未在约定期限内组织验收）"), max_length=500, required=False)


class SettlementForm(forms.Form):
    milestone = forms.ModelChoiceField(label=_("付款节点"), queryset=Milestone.objects.none())
    settled_on = forms.DateField(label=_("结算金额确认日期"), widget=DATE)
    amount = forms.DecimalField(label=_("确认的结算金额（元，不变则留空）"), max_digits=16, decimal_places=2,
                                min_value=Decimal("0.01"), required=False, widget=AMOUNT)
    reason = forms.CharField(label=_("说明"), max_length=500, required=False)

    def __init__(self, *args: Any, milestones: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _milestone_choices(self, milestones)


class InvoiceForm(forms.Form):
    number = forms.CharField(label=_("发票号码"), max_length=40)
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=16, decimal_places=2, min_value=Decimal("0.01"),
                                widget=AMOUNT)
    issued_on = forms.DateField(label=_("开票日期"), widget=DATE)


class PaymentForm(forms.Form):
    milestone = forms.ModelChoiceField(label=_("付款节点"), queryset=Milestone.objects.none())
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=16, decimal_places=2, min_value=Decimal("0.01"),
                                widget=AMOUNT)
    paid_on = forms.DateField(label=_("支付日期"), widget=DATE)
    voucher = forms.CharField(label=_("凭证号"), max_length=60, required=False)

    def __init__(self, *args: Any, milestones: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _milestone_choices(self, milestones)


class MilestoneChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.seq}. {obj.label}"


def _milestone_choices(form: forms.Form, milestones: Any) -> None:
    form.fields["milestone"] = MilestoneChoice(
        label=_("付款节点"), queryset=milestones if milestones is not None else Milestone.objects.none(),
        empty_label=None, widget=forms.Select(attrs={"translate": "no"}))  # the first unpaid one chosen


# --- complaints about non-payment --------------------------------------------------------------------

class ComplaintFileForm(forms.Form):
    reference = forms.CharField(label=_("履约事项编号"), max_length=60)
    text = forms.CharField(label=_("投诉内容"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4}))


class ComplaintActForm(forms.Form):
    action = forms.ChoiceField(label=_("办理步骤"), choices=())
    reason = forms.CharField(label=_("理由或处理结果"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    extend_days = forms.IntegerField(label=_("延长天数（仅延长处理期限时填写）"), min_value=1, max_value=60,
                                     required=False)

    def __init__(self, *args: Any, actions: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["action"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = list(actions)
