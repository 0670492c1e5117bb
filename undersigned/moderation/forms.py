from django import forms
from django.utils.translation import gettext_lazy as _

from undersigned.moderation.services import Criteria
from undersigned.signatures.models import Signature
from undersigned.statements.models import Statement


class InvalidationForm(forms.Form):
    statement = forms.ModelChoiceField(queryset=Statement.objects.none())
    email_domain = forms.CharField(required=False, max_length=253, help_text="e.g. example.org")
    network_hash = forms.CharField(
        required=False, max_length=32, help_text="as shown on a signature in the admin"
    )
    flag = forms.CharField(required=False, max_length=20, help_text="e.g. rate_network, honeypot")
    created_from = forms.DateTimeField(required=False, help_text="YYYY-MM-DD HH:MM (UTC)")
    created_to = forms.DateTimeField(required=False, help_text="YYYY-MM-DD HH:MM (UTC)")
    reason = forms.CharField(max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, statements, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the statements the user may act on: the preview's count is an answer about
        # who signed, so it must never be given for anybody else's statement.
        self.fields["statement"].queryset = statements

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


class ReviewForm(forms.Form):
    """The owner's decision on the signatures ticked in the review queue."""

    signatures = forms.ModelMultipleChoiceField(
        queryset=Signature.objects.none(),
        error_messages={
            "required": _("Tick at least one signature."),
            "invalid_choice": _("A ticked signature is not one of this statement's."),
            "invalid_pk_value": _("A ticked signature is not one of this statement's."),
        },
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("Kept in the audit log with your decision."),
        error_messages={"required": _("Say why: the reason is kept with the decision.")},
    )
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        error_messages={"required": _("Choose to approve or to reject.")},
    )

    def __init__(self, *args, statement: Statement, **kwargs):
        super().__init__(*args, **kwargs)
        # Any of the statement's: one decided meanwhile (by a co-owner) is left as it is.
        self.fields["signatures"].queryset = Signature.objects.filter(statement=statement)


class DuplicateDecisionForm(forms.Form):
    """Merge a suggested pair (keeping one of the two) or mark it distinct."""

    decision = forms.ChoiceField(
        choices=[("keep_first", "keep_first"), ("keep_second", "keep_second"), ("distinct", "")]
    )
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=300)
