from django.urls import path

from clauses.desk import views

app_name = "desk"

urlpatterns = [
    # Public: filing and following a request.
    path("demande/", views.request_form, name="request_form"),
    path("demande/<str:reference>/envoyee/", views.confirmation, name="confirmation"),
    path("suivi/nouveau-lien/", views.new_follow_link, name="new_follow_link"),
    path("suivi/<str:reference>/", views.follow, name="follow"),
    path(
        "suivi/<str:reference>/pieces-jointes/<int:pk>/",
        views.follow_attachment,
        name="follow_attachment",
    ),
    path("communes/suggestions/", views.commune_suggestions, name="commune_suggestions"),
    path("communes/ajouter/", views.commune_chip, name="commune_chip"),
    # Buyer agents (logged in): their organisation's requests.
    path("mes-demandes/", views.my_requests, name="my_requests"),
    path("mes-demandes/<str:reference>/", views.my_request, name="my_request"),
    path(
        "mes-demandes/<str:reference>/pieces-jointes/<int:pk>/",
        views.my_request_attachment,
        name="my_request_attachment",
    ),
    # Desk side.
    path("boite/", views.inbox, name="inbox"),
    path("demandes/<str:reference>/", views.detail, name="detail"),
    path("demandes/<str:reference>/prise-en-charge/", views.take_charge, name="take_charge"),
    path("demandes/<str:reference>/reponse/", views.reply, name="reply"),
    path("demandes/<str:reference>/note/", views.add_note, name="add_note"),
    path("demandes/<str:reference>/reaffectation/", views.reassign, name="reassign"),
    path("demandes/<str:reference>/cloture/", views.close, name="close"),
    path("pieces-jointes/<int:pk>/", views.attachment, name="attachment"),
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
]
