from django.urls import path

from clauses.network import views

app_name = "network"

urlpatterns = [
    path("trouver-mon-facilitateur/", views.find_facilitator, name="find"),
    path("departements/<str:code>/", views.department, name="department"),
    path("", views.overview, name="overview"),
]
