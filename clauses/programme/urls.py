from django.urls import path

from clauses.programme import views

app_name = "programme"

urlpatterns = [
    path("", views.programme_list, name="list"),
    path("importer/", views.upload, name="upload"),
    path("importer/colonnes/", views.mapping, name="mapping"),
    path("modele.xlsx", views.template, name="template"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/export.xlsx", views.export, name="export"),
    path("<int:pk>/supprimer/", views.delete, name="delete"),
    path("<int:pk>/analyse/", views.reanalyse, name="reanalyse"),
    path("<int:pk>/conserver/", views.keep_pending, name="keep_pending"),
    path("ligne/<int:pk>/revue/", views.review, name="review"),
    path("ligne/<int:pk>/marche/", views.convert, name="convert"),
]
