from django.urls import path

from clauses.hours import views

app_name = "hours"

urlpatterns = [
    path("mes-clauses/", views.my_clauses, name="my_clauses"),
    path("mes-clauses/declarer/", views.declare, name="declare"),
    path("mes-clauses/import/", views.upload, name="upload"),
    path("mes-clauses/modele.<str:fmt>", views.template_file, name="template"),
    path("controle/", views.control_list, name="control"),
    path("declarations/<int:pk>/", views.declaration_detail, name="declaration"),
    path("declarations/<int:pk>/controle/", views.control, name="control_one"),
    path("controle/decisions/", views.control_many, name="control_many"),
    path("clauses/<int:pk>/", views.clause_detail, name="clause"),
    path("conventions/", views.agreements, name="agreements"),
    path("conventions/<int:pk>/resiliation/", views.end_agreement, name="agreement_end"),
]
