from django.urls import path

from clauses.site import views

urlpatterns = [
    path("", views.home, name="home"),
]
