"""A search-as-you-type field for a choice among thousands (organisations, civil servants).

A drop-down of every organisation of a city (1,400 entries) cannot be used; this widget renders a hidden
input holding the chosen id, a search box whose typing asks a JSON endpoint for matches in the user's
scope (``static/govcredit/widgets.js``, no inline script, so it works under the Content-Security-Policy)
and the name of the current choice. The form field behind it still validates the id against its own
queryset, so the widget widens nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


def picker_context(*, input_id: str, url: str, inputs: list[tuple[str, str, Any]], display: str,
                   required: bool = False, placeholder: str = "", attrs: dict[str, Any] | None = None) -> dict[str, Any]:
    """What ``core/widgets/picker.html`` draws: ``inputs`` are (kind, name, value) of the hidden inputs; a
    chosen match of that kind (``org`` or ``person``) fills its input and empties the others."""
    return {"id": input_id, "url": url, "inputs": [{"kind": k, "name": n, "value": "" if v is None else v}
                                                     for k, n, v in inputs],
            "display": display, "required": required, "placeholder": placeholder or _("输入名称搜索"),
            "attrs": attrs or {}}


class SearchPicker(forms.Widget):
    """One id chosen by searching: ``url`` answers ``?q=`` with ``{"results": [{kind, id, label, detail}]}``;
    ``label_of(id)`` names the current value when the form is shown again."""

    template_name = "core/widgets/picker.html"

    def __init__(self, url: str | Callable[[], str], kind: str, label_of: Callable[[str], str],
                 attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.url, self.kind, self.label_of = url, kind, label_of

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        value = context["widget"]["value"]
        url = self.url() if callable(self.url) else self.url
        input_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        context["picker"] = picker_context(input_id=input_id, url=url, inputs=[(self.kind, name, value)],
                                           display=self.label_of(str(value)) if value not in (None, "") else "",
                                           required=self.is_required)
        return context

    def format_value(self, value: Any) -> str | None:
        return None if value in (None, "") else str(value)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)


class DataCheckboxes(forms.CheckboxSelectMultiple):
    """Check boxes whose choices are data (catalog values a record stores, shown as stored): the group is
    marked ``translate="no"`` (docs/architecture.md, *English pages*); a ``Select`` takes the attribute
    itself, but check boxes' labels lie outside their inputs."""

    template_name = "core/widgets/data_checkboxes.html"
