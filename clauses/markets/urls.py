from django.urls import path

from clauses.markets import views

app_name = "markets"

urlpatterns = [
    path("calculateur/", views.calculator, name="calculator"),
    path("", views.market_list, name="list"),
    path("nouveau/", views.market_create, name="create"),
    path("import/", views.import_markets, name="import"),
    path(
        "import/modele.<str:extension>",
        views.import_template,
        name="import_template",
    ),
    path("operations/", views.operation_list, name="operations"),
    path("operations/nouvelle/", views.operation_create, name="operation_create"),
    path("operations/<int:pk>/", views.operation_detail, name="operation_detail"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/modifier/", views.market_edit, name="edit"),
    path("<int:pk>/supprimer/", views.market_delete, name="delete"),
    path("<int:pk>/statut/", views.change_status, name="status"),
    path("<int:pk>/derogation/", views.record_derogation, name="derogation"),
    path("<int:pk>/lots/ajouter/", views.lot_form, name="lot_add"),
    path("<int:pk>/lots/<int:lot_pk>/", views.lot_form, name="lot_edit"),
    path(
        "<int:pk>/lots/<int:lot_pk>/considerations/ajouter/",
        views.consideration_form,
        name="consideration_add",
    ),
    path(
        "<int:pk>/lots/<int:lot_pk>/considerations/<int:consideration_pk>/",
        views.consideration_form,
        name="consideration_edit",
    ),
    path(
        "<int:pk>/considerations/<int:consideration_pk>/retirer/",
        views.remove_consideration,
        name="consideration_remove",
    ),
    path(
        "<int:pk>/considerations/<int:consideration_pk>/ajuster/",
        views.override_hours,
        name="override",
    ),
    path("<int:pk>/entreprises/", views.add_contractor, name="contractor_add"),
    path(
        "<int:pk>/entreprises/<int:link_pk>/retirer/",
        views.remove_contractor,
        name="contractor_remove",
    ),
    path("<int:pk>/reunions/", views.schedule_meeting, name="meeting_add"),
    path(
        "<int:pk>/reunions/<int:meeting_pk>/inviter/",
        views.invite_to_meeting,
        name="meeting_invite",
    ),
    path("clauses/<int:consideration_pk>/", views.clause, name="clause"),
    path("clauses/<int:consideration_pk>/clause.docx", views.clause_docx, name="clause_docx"),
    path("clauses/<int:consideration_pk>/clause.odt", views.clause_odt, name="clause_odt"),
    path("territoire/", views.territory_index, name="territory_index"),
    path("territoire/<str:code>/", views.territory, name="territory"),
    path("territoire/<str:code>/prereglages/nouveau/", views.preset_form, name="preset_add"),
    path(
        "territoire/<str:code>/prereglages/<slug:preset_code>/",
        views.preset_form,
        name="preset_edit",
    ),
    path(
        "territoire/<str:code>/modeles/<str:kind>/",
        views.clause_template_form,
        name="clause_template",
    ),
    path(
        "territoire/<str:code>/modeles/<str:kind>/reinitialiser/",
        views.clause_template_reset,
        name="clause_template_reset",
    ),
    path(
        "depuis-demande/<str:reference>/",
        views.convert_request,
        name="convert_request",
    ),
]
