#!/usr/bin/python3
"""
Fills the Django database through Django's own ORM, so password hashes,
dates and time zones are what a real Django site stores.

    fill.py initial   users, blog posts, comments, tags, journal entries
    fill.py change    edits made in Django after a first import
    fill.py bench N M N posts and M comments (bench/import.sh)
"""
import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'djsite.settings')

import django  # noqa: E402

django.setup()

from zoneinfo import ZoneInfo  # noqa: E402

from django.contrib.auth.models import User  # noqa: E402
from django.contrib.redirects.models import Redirect  # noqa: E402

from blog.models import Comment, Post  # noqa: E402
from journal.models import Entry, Remark  # noqa: E402

PARIS = ZoneInfo('Europe/Paris')


def paris(*args):
    return datetime.datetime(*args, tzinfo=PARIS)


def initial():
    alice = User.objects.create_superuser('alice', 'alice@example.org',
                                          'alice old password')
    bob = User.objects.create_user('bob', 'bob@example.org',
                                   'bob old password')
    User.objects.create_user('carol', 'carol@example.org',
                             'carol old password', is_staff=True,
                             is_active=False)
    User.objects.create_user('dan@home', 'dan@example.org',
                             'dan old password', is_staff=True)

    # 00:30 in Paris on 6 March is 23:30 UTC on 5 March: Django's URL
    # (get_absolute_url) and its database both say the 5th.
    hello = Post.objects.create(
        title='Hello from Django', slug='hello-django', author=alice,
        body='# Hello\n\nSome *Markdown* from Django.\n',
        publish=paris(2023, 3, 6, 0, 30), status='published')
    hello.tags.add('Python', 'django')
    html = Post.objects.create(
        title='An HTML post', slug='html-post', author=bob,
        body='<p>Rich <strong>text</strong> from an editor.</p>\n\n'
             '<p>Second paragraph &amp; more.</p>',
        publish=paris(2023, 4, 1, 12, 0), status='published')
    html.tags.add('python')
    Post.objects.create(
        title='A secret draft', slug='secret-draft', author=alice,
        body='Not for readers yet.', publish=paris(2023, 5, 2, 9, 0),
        status='draft')
    Post.objects.create(
        title='Old style slug', slug='Old_Style_Slug', author=bob,
        body='Django slugs may hold capitals and underscores.',
        publish=paris(2022, 12, 31, 23, 59), status='published')

    Comment.objects.create(post=hello, name='Reader One',
                           email='one@example.org', body='First!')
    Comment.objects.create(post=hello, name='Reader Two',
                           email='two@example.org',
                           body='Nice post.\nTwo lines.')
    # 162 characters in 312 bytes: Django's limit (254) counts characters.
    Comment.objects.create(post=hello, name='Spammer',
                           email='\u00fc' * 150 + '@example.org',
                           body='Buy pills',
                           active=False)

    # contrib.redirects: a moved feed, a page elsewhere, one gone, a
    # path Django keeps decoded, and one that a post's URL shadows (Django
    # served the post there; the redirect only answered 404s).
    for old, new in (('/rss/', '/feed.xml'),
                     ('/about-me/', 'https://example.org/about'),
                     ('/old-page/', ''),
                     ('/caf\u00e9/', '/pages/cafe/'),
                     ('/blog/2023/3/5/hello-django/', '/elsewhere/')):
        Redirect.objects.create(site_id=1, old_path=old, new_path=new)

    entry = Entry.objects.create(
        headline='Journal entry one', permalink='journal-one', writer=bob,
        content='From the *journal* app.', pub_date=paris(2021, 7, 14, 8, 0),
        is_public=True)
    Entry.objects.create(
        headline='Hidden journal entry', permalink='journal-hidden',
        writer=bob, content='Private.', pub_date=paris(2021, 7, 15, 8, 0),
        is_public=False)
    Remark.objects.create(entry=entry, author_name='Journal Reader',
                          text='A remark.', posted=paris(2021, 7, 16, 9, 0),
                          visible=True)


def change():
    hello = Post.objects.get(slug='hello-django')
    hello.title = 'Hello from Django, edited'
    hello.save()
    hello.tags.add('news')
    draft = Post.objects.get(slug='secret-draft')
    draft.status = 'published'
    draft.save()
    Comment.objects.create(post=hello, name='Reader Three',
                           email='three@example.org', body='Late comment.')
    bob = User.objects.get(username='bob')
    bob.set_password('bob new password')
    bob.save()


def remove():
    """Deleted in Django after an import: a post and a spam comment."""
    Post.objects.get(slug='Old_Style_Slug').delete()
    Comment.objects.filter(name='Spammer').delete()


def bench(posts, comments):
    """posts published posts with 3 tags each, comments spread over them
    (bench/import.sh); bulk inserts, so the hashes are Django's but the
    filling takes seconds."""
    from django.contrib.contenttypes.models import ContentType
    from taggit.models import Tag, TaggedItem
    author = User.objects.create_user('bench', 'b@example.org', 'bench pw')
    start = paris(2020, 1, 1, 12, 0)
    Post.objects.bulk_create(
        [Post(title='Bench post %d' % i, slug='bench-%05d' % i,
              author=author, status='published',
              publish=start + datetime.timedelta(hours=i),
              body='# Post %d\n\nSome *Markdown* text, ' % i + 'words ' * 150)
         for i in range(posts)], batch_size=1000)
    ids = list(Post.objects.order_by('id').values_list('id', flat=True))
    tags = Tag.objects.bulk_create(
        [Tag(name='tag%d' % i, slug='tag%d' % i) for i in range(20)])
    ct = ContentType.objects.get_for_model(Post)
    TaggedItem.objects.bulk_create(
        [TaggedItem(tag=tags[(n + k) % 20], content_type=ct, object_id=pid)
         for n, pid in enumerate(ids) for k in range(3)], batch_size=5000)
    Comment.objects.bulk_create(
        [Comment(post_id=ids[i % len(ids)], name='Reader %d' % i,
                 email='r@example.org', body='Comment %d, ' % i + 'text ' * 20)
         for i in range(comments)], batch_size=5000)


if __name__ == '__main__':
    if sys.argv[1] == 'bench':
        bench(int(sys.argv[2]), int(sys.argv[3]))
    else:
        {'initial': initial, 'change': change,
         'remove': remove}[sys.argv[1]]()
