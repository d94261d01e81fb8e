from django.urls import path

from clauses.history import views

app_name = "history"

urlpatterns = [
    path("", views.index, name="index"),
    path("importer/", views.upload, name="upload"),
    path("envoi/<int:pk>/colonnes/", views.columns, name="columns"),
    path("envoi/<int:pk>/valeurs/", views.values, name="values"),
    path("envoi/<int:pk>/verification/", views.check, name="check"),
    path("envoi/<int:pk>/importer/", views.run, name="run"),
    path("imports/<int:pk>/", views.report, name="report"),
    path("imports/<int:pk>/profil/", views.save_profile, name="save_profile"),
    path("profils/", views.profiles, name="profiles"),
    path("profils/<int:pk>/modifier/", views.profile_edit, name="profile_edit"),
    path("profils/<int:pk>/supprimer/", views.profile_delete, name="profile_delete"),
    path("exemples/<slug:key>/", views.sample, name="sample"),
]
