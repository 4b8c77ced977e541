from django.http import HttpResponse
from django.shortcuts import render

from roadmap_site.access import AuthedRequest, member_required


@member_required
def home(request: AuthedRequest) -> HttpResponse:
    return render(request, "measurement/home.html")
