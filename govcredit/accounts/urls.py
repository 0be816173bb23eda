from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<id:pk>/", views.user_detail, name="user_detail"),
    path("users/<id:pk>/edit/", views.user_edit, name="user_edit"),
    path("users/<id:pk>/password/", views.user_password_reset, name="user_password_reset"),
    path("users/<id:pk>/active/", views.user_active, name="user_active"),
    path("organizations/", views.org_search, name="org_search"),
]
