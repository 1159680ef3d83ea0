{{%AUTOESCAPE context="XML"}}
<?xml version="1.0" encoding="utf-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{{#ENTRY}}
<url><loc>{{URL}}</loc>{{#LASTMOD}}<lastmod>{{UPDATED}}</lastmod>{{/LASTMOD}}</url>
{{/ENTRY}}
</urlset>
