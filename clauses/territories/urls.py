from django.urls import path

from clauses.territories import views

app_name = "territories"

urlpatterns = [
    path("cpv/recherche/", views.cpv_search, name="cpv_search"),
]
