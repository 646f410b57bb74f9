"""URLs of imports and exports, under /data/."""

from django.urls import path

from cartera.dataio import views

app_name = "dataio"

urlpatterns = [
    path("import/", views.import_start, name="import"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
    path("import/<int:pk>/run/", views.import_run, name="import_run"),
    path("import/<int:pk>/status/", views.import_status, name="import_status"),
    path("import/<int:pk>/problems.csv", views.import_problems, name="import_problems"),
    path("export/<str:kind>/", views.export, name="export"),
]
