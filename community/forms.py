from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Renders every field, ours and allauth's, through templates/partials/field.html."""

    field_template_name = "partials/field.html"
