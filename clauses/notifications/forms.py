from django import forms

from clauses.notifications.enums import EmailMode


class PreferenceForm(forms.Form):
    email_mode = forms.ChoiceField(
        label="Recevoir les notifications par courriel",
        choices=EmailMode.choices,
        widget=forms.RadioSelect,
    )
