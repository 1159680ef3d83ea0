{{%AUTOESCAPE context="XML"}}
<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{{LANGUAGE}}">
<id>{{BASE_URL}}/</id>
<title>{{SITE_TITLE}}</title>
<updated>{{UPDATED}}</updated>
<link rel="self" type="application/atom+xml" href="{{BASE_URL}}/feed.xml"/>
<link rel="alternate" type="text/html" href="{{BASE_URL}}/"/>
<generator>blogd</generator>
{{#ENTRY}}
<entry>
<id>{{ENTRY_ID}}</id>
<title type="text">{{TITLE}}</title>
<updated>{{UPDATED}}</updated>
<published>{{PUBLISHED}}</published>
<author><name>{{AUTHOR}}</name></author>
<link rel="alternate" type="text/html" href="{{BASE_URL}}/posts/{{SLUG:x-path}}"/>
<summary type="text">{{EXCERPT}}</summary>
<content type="html" xml:base="{{BASE_URL}}/posts/{{SLUG:x-path}}">{{BODY_HTML}}</content>
</entry>
{{/ENTRY}}
</feed>
