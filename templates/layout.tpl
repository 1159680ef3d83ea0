{{%AUTOESCAPE context="HTML"}}
<!DOCTYPE html>
<html lang="{{LANGUAGE}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{PAGE_TITLE}} — {{SITE_TITLE}}</title>
<meta name="description" content="{{PAGE_DESCRIPTION}}">
{{#NOINDEX}}
<meta name="robots" content="noindex">
{{/NOINDEX}}
{{#INLINE_STYLE}}
<style>{{STYLE_CSS:none}}</style>
{{/INLINE_STYLE}}
{{#STYLESHEET}}
<link rel="stylesheet" href="{{STYLE_URL}}">
{{/STYLESHEET}}
{{#ADMIN_STYLE}}
<link rel="stylesheet" href="{{ADMIN_CSS_URL}}">
{{/ADMIN_STYLE}}
{{#ICON}}
<link rel="icon" type="image/svg+xml" href="{{ICON_URL}}">
{{/ICON}}
<link rel="alternate" type="application/atom+xml" title="{{SITE_TITLE}}" href="/feed.xml">
{{#META}}
<link rel="canonical" href="{{URL}}">
<meta property="og:type" content="{{OG_TYPE}}">
<meta property="og:title" content="{{TITLE}}">
<meta property="og:url" content="{{URL}}">
<meta property="og:description" content="{{DESCRIPTION}}">
<meta property="og:site_name" content="{{SITE_TITLE}}">
{{#IMAGE}}
<meta property="og:image" content="{{IMAGE_URL}}">
<meta name="twitter:image" content="{{IMAGE_URL}}">
{{/IMAGE}}
{{#PUBLISHED}}
<meta property="article:published_time" content="{{PUBLISHED}}">
{{/PUBLISHED}}
<meta name="twitter:card" content="{{TWITTER_CARD}}">
<meta name="twitter:title" content="{{TITLE}}">
<meta name="twitter:description" content="{{DESCRIPTION}}">
{{/META}}
</head>
<body>
<header class="site-header">
<a class="site-title" href="/">{{SITE_TITLE}}</a>
{{#NAV}}
<nav class="site-nav" aria-label="Site">
<ul>
{{#NAV_ITEM}}
<li><a href="/pages/{{SLUG:x-path}}">{{TITLE}}</a></li>
{{/NAV_ITEM}}
</ul>
</nav>
{{/NAV}}
<form class="site-search" method="get" action="/search" role="search" aria-label="Site search">
<input name="q" type="search" maxlength="200" placeholder="Search" aria-label="Search posts">
<button type="submit">Search</button>
</form>
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
