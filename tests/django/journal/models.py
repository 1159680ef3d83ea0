"""Another blog schema: other table and column names, a boolean for the
status, no tags, no created/updated dates. Imported with a --map file."""
from django.contrib.auth.models import User
from django.db import models


class Entry(models.Model):
    headline = models.CharField(max_length=200)
    permalink = models.SlugField(max_length=200, unique=True)
    writer = models.ForeignKey(User, on_delete=models.CASCADE)
    content = models.TextField()
    pub_date = models.DateTimeField()
    is_public = models.BooleanField(default=False)

    class Meta:
        db_table = 'journal_entries'


class Remark(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE)
    author_name = models.CharField(max_length=60)
    text = models.TextField()
    posted = models.DateTimeField()
    visible = models.BooleanField(default=False)
