"""The import page's upload form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cartera.dataio.kinds import KINDS
from cartera.dataio.models import ImportMode


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of data"), choices=[(kind.name, kind.label) for kind in KINDS.values()]
    )
    file = forms.FileField(label=_("File (CSV or XLSX)"))
    mode = forms.ChoiceField(
        label=_("When some rows are wrong"),
        choices=[
            (ImportMode.ALL_OR_NOTHING, _("Import nothing (all or nothing)")),
            (ImportMode.SKIP_BAD_ROWS, _("Import the good rows and report the others")),
        ],
        initial=ImportMode.ALL_OR_NOTHING,
    )
    decimal_comma = forms.BooleanField(label=_("Numbers are written 1.234,56"), required=False)
    sheet = forms.CharField(label=_("Sheet (XLSX; empty for the first)"), required=False, max_length=100)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name, field in self.fields.items():
            css = (
                "form-check-input"
                if name == "decimal_comma"
                else ("form-select" if isinstance(field.widget, forms.Select) else "form-control")
            )
            field.widget.attrs.setdefault("class", css)
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx,text/csv"
