from django.db import models


class Row(models.Model):
    name = models.CharField(max_length=200)
    email = models.CharField(max_length=254)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name
