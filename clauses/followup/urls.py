from django.urls import path

from clauses.followup import views

app_name = "followup"

urlpatterns = [
    path("participants/", views.participant_list, name="participants"),
    path("participants/<int:pk>/", views.participant_detail, name="participant"),
    path("participants/<int:pk>/eligibilite/", views.validate, name="validate"),
    path("participants/<int:pk>/export/", views.export, name="export"),
    path("postes/", views.position_list, name="positions"),
    path("postes/<int:pk>/diffuser/", views.publish, name="publish"),
    path("candidats/<int:pk>/recruter/", views.hire, name="hire"),
]
