from django.urls import path

from clauses.observatory import views

app_name = "observatory"

urlpatterns = [
    path("", views.index, name="index"),
    path("export.<str:fmt>", views.export, name="export"),
    path("opportunites/", views.opportunities, name="opportunities"),
    path("ecarts/", views.discrepancies, name="discrepancies"),
    path("acheteur/<str:siret>/", views.buyer, name="buyer"),
]
