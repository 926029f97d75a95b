"""Forms of the strategy side, with messages in plain words."""

from django import forms

from strategy import workbook
from strategy.models import OrgUnit

PAGE_UPLOAD_LIMIT = 5 * 1024 * 1024


class ImportUploadForm(forms.Form):
    """A whole-scorecard workbook to check, then import once confirmed."""

    workbook = forms.FileField(
        label="Workbook to import",
        help_text="An Excel workbook (.xlsx) of up to 5 MB, laid out as the import guide says.",
        error_messages={
            "required": "Choose a workbook to upload",
            "empty": "The chosen file is empty: choose the workbook again",
        },
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_workbook(self):
        upload = self.cleaned_data["workbook"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                f"Choose an Excel workbook (.xlsx): “{upload.name}” is not one"
            )
        if upload.size > PAGE_UPLOAD_LIMIT:
            size = upload.size / 1024 / 1024
            raise forms.ValidationError(
                f"The file is {size:,.1f} MB; the limit on this page is 5 MB. Split the "
                "workbook, or ask for it to be imported with manage.py import_scorecard"
            )
        refusal = workbook.check_archive(upload)
        if refusal:
            raise forms.ValidationError(refusal)
        return upload


class ExportForm(forms.Form):
    """Which unit's scorecard to download."""

    unit = forms.ModelChoiceField(
        queryset=OrgUnit.objects.order_by("name"),
        label="Unit to export",
        help_text="The workbook holds this unit and every unit under it.",
        empty_label="Choose a unit",
        error_messages={
            "required": "Choose a unit to export",
            "invalid_choice": "Choose a unit from the list",
        },
    )
