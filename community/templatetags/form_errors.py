from django import template

register = template.Library()


@register.simple_tag
def error_summary(form):
    """Every error of a bound form, in the order of its fields, each with the id of the
    input it is about (None for errors about the form as a whole, or a hidden field)."""
    if form is None or not getattr(form, "errors", None):
        return []
    problems = [(None, message) for message in form.non_field_errors()]
    for field in form.hidden_fields():
        problems += [(None, message) for message in field.errors]
    for field in form.visible_fields():
        target = field.id_for_label or (f"{field.auto_id}_0" if field.auto_id else None)
        problems += [(target, message) for message in field.errors]
    return problems
