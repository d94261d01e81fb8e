from django.urls import path

from clauses.reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.index, name="index"),
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("consolidation/<int:year>.xlsx", views.consolidation, name="consolidation"),
    path("acheteur/<str:key>/rapport/", views.clause_report, name="clause_report"),
    path("acheteur/<str:key>/rapport.pdf", views.clause_report_pdf, name="clause_report_pdf"),
    path("<str:kind>/<str:key>/", views.review, name="review"),
    path(
        "<str:kind>/<str:key>/export.<str:fmt>",
        views.review_export,
        name="review_export",
    ),
]
