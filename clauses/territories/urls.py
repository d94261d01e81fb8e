from django.urls import path

from clauses.territories import views

app_name = "territories"

urlpatterns = [
    path("communes/recherche/", views.commune_search, name="commune_search"),
    path("cpv/recherche/", views.cpv_search, name="cpv_search"),
]
