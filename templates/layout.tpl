{{%AUTOESCAPE context="HTML"}}
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{PAGE_TITLE}} — {{SITE_TITLE}}</title>
<link rel="stylesheet" href="/static/style.css">
<link rel="alternate" type="application/atom+xml" title="{{SITE_TITLE}}" href="/feed.xml">
</head>
<body>
<header class="site-header">
<a class="site-title" href="/">{{SITE_TITLE}}</a>
</header>
<main>
{{#NOTICE}}
<p class="notice" role="status">{{NOTICE_TEXT}}</p>
{{/NOTICE}}
{{>CONTENT}}
</main>
<footer class="site-footer">
<a href="/feed.xml">Atom feed</a>
</footer>
</body>
</html>
