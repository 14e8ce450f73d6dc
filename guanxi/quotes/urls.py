urlpatterns: list = []
app_name = "quotes"
