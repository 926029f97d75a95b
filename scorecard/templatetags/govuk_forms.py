"""Render a field's input linked to its hint and error messages (GOV.UK error pattern)."""

from django import forms, template

register = template.Library()

_CHECK_WIDGETS = (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)


@register.filter
def accessible(field):
    """The field's widget with Bootstrap classes, aria-describedby and aria-invalid."""
    widget = field.field.widget
    css = ["form-check-input" if isinstance(widget, _CHECK_WIDGETS) else "form-control"]
    if isinstance(widget, forms.Select) and not isinstance(widget, _CHECK_WIDGETS):
        css = ["form-select"]
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_hint")
    described += [f"{field.auto_id}_error_{n}" for n in range(1, len(field.errors) + 1)]
    attrs = {}
    if field.errors:
        css.append("is-invalid")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    existing = widget.attrs.get("class", "")
    attrs["class"] = " ".join(filter(None, [existing, *css]))
    return field.as_widget(attrs=attrs)
