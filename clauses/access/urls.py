from django.urls import path

from clauses.access import views

app_name = "access"

urlpatterns = [
    path("jetons/", views.token_list, name="tokens"),
    path("jetons/nouveau/", views.token_create, name="token_create"),
    path("jetons/<int:pk>/revoquer/", views.token_revoke, name="token_revoke"),
    path("journal/", views.audit_journal, name="audit"),
]
