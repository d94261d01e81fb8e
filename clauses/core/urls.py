from django.urls import path

from clauses.core import views

urlpatterns = [
    path("", views.home, name="home"),
]
