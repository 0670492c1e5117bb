from django import forms

from undersigned.moderation.services import Criteria
from undersigned.statements.models import Statement


class InvalidationForm(forms.Form):
    statement = forms.ModelChoiceField(queryset=Statement.objects.all())
    email_domain = forms.CharField(required=False, max_length=253, help_text="e.g. example.org")
    network_hash = forms.CharField(
        required=False, max_length=32, help_text="as shown on a signature in the admin"
    )
    flag = forms.CharField(required=False, max_length=20, help_text="e.g. rate_network, honeypot")
    created_from = forms.DateTimeField(required=False, help_text="YYYY-MM-DD HH:MM (UTC)")
    created_to = forms.DateTimeField(required=False, help_text="YYYY-MM-DD HH:MM (UTC)")
    reason = forms.CharField(max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def criteria(self) -> Criteria:
        data = self.cleaned_data
        return Criteria(
            email_domain=data["email_domain"],
            network_hash=data["network_hash"],
            flag=data["flag"],
            created_from=data["created_from"],
            created_to=data["created_to"],
        )

    def clean(self):
        data = super().clean()
        if not self.errors and self.criteria().is_empty():
            raise forms.ValidationError(
                "Choose at least one criterion: an invalidation never targets everything."
            )
        return data
