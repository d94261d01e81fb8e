from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_not_required
def find_facilitator(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


@login_not_required
def overview(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")
