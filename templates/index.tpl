{{%AUTOESCAPE context="HTML"}}
{{#HEADING}}
<h1 class="list-heading">{{HEADING_TEXT}}</h1>
{{/HEADING}}
{{#EMPTY}}
<p class="empty">{{EMPTY_TEXT}}</p>
{{/EMPTY}}
{{#POST}}
<article class="summary">
<h2><a href="/posts/{{SLUG:x-path}}">{{TITLE}}</a></h2>
<p class="meta">By <a href="/authors/{{AUTHOR:x-path}}">{{AUTHOR}}</a> on <time datetime="{{DATE_ISO}}">{{DATE}}</time></p>
{{#EXCERPT_BLOCKS}}
<div class="excerpt">
{{EXCERPT_HTML:none}}
</div>
{{/EXCERPT_BLOCKS}}
{{#EXCERPT_TEXT}}
<p class="excerpt">{{EXCERPT}}</p>
{{/EXCERPT_TEXT}}
<p class="more"><a href="/posts/{{SLUG:x-path}}">Continue reading<span class="visually-hidden"> “{{TITLE}}”</span></a></p>
{{#TAGS}}
<ul class="tags">
{{#TAG}}
<li><a href="/tags/{{TAG_NAME:x-path}}">{{TAG_NAME}}</a></li>
{{/TAG}}
</ul>
{{/TAGS}}
</article>
{{/POST}}
{{#PAGER}}
<nav class="pager" aria-label="Pages">
{{#NEWER}}
<a class="newer" rel="prev" href="{{NEWER_URL}}">← Newer posts</a>
{{/NEWER}}
{{#OLDER}}
<a class="older" rel="next" href="{{OLDER_URL}}">Older posts →</a>
{{/OLDER}}
</nav>
{{/PAGER}}
