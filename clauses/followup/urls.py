from django.urls import path

from clauses.followup import views

app_name = "followup"

urlpatterns = [
    path("participants/", views.participant_list, name="participants"),
    path("participants/nouveau/", views.participant_create, name="participant_create"),
    path("participants/<int:pk>/", views.participant_detail, name="participant"),
    path("participants/<int:pk>/eligibilite/", views.validate, name="validate"),
    path(
        "participants/<int:pk>/validations/<int:validation_pk>/retrait/",
        views.withdraw,
        name="withdraw",
    ),
    path("participants/<int:pk>/missions/nouvelle/", views.assignment_create, name="assign"),
    path("participants/<int:pk>/sorties/nouvelle/", views.outcome_create, name="outcome"),
    path("participants/<int:pk>/export/", views.export, name="export"),
    path("participants/<int:pk>/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("postes/", views.position_list, name="positions"),
    path("postes/nouveau/", views.position_create, name="position_create"),
    path("postes/<int:pk>/diffuser/", views.publish, name="publish"),
    path("postes/<int:pk>/candidats/nouveau/", views.candidate_create, name="propose"),
    path("candidats/<int:pk>/pre-verification/", views.precheck, name="precheck"),
    path("candidats/<int:pk>/recruter/", views.hire, name="hire"),
]
