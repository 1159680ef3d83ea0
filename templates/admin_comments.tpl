{{%AUTOESCAPE context="HTML"}}
{{>ADMIN_NAV}}
<section class="admin">
<div class="admin-heading">
<h1>Comments</h1>
</div>
{{#LIST}}
<h2>{{HEADING}}</h2>
{{#EMPTY}}
<p class="empty">{{EMPTY_TEXT}}</p>
{{/EMPTY}}
{{#COMMENT}}
<div class="admin-comment">
<p class="meta"><strong>{{COMMENT_NAME}}</strong>{{#COMMENT_EMAIL}} ({{EMAIL_ADDRESS}}){{/COMMENT_EMAIL}} on <a href="/posts/{{SLUG:x-path}}">{{TITLE}}</a>, <time datetime="{{DATE_ISO}}">{{DATE}}</time></p>
<p class="comment-body">{{COMMENT_BODY:pre_escape}}</p>
<div class="actions">
{{#APPROVE}}
<form class="inline" method="post" action="/admin/comments/{{COMMENT_ID}}/approve">
<input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
<button type="submit">Approve</button>
</form>
{{/APPROVE}}
<form class="inline" method="post" action="/admin/comments/{{COMMENT_ID}}/delete">
<input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
<button type="submit" class="danger">Delete</button>
</form>
</div>
</div>
{{/COMMENT}}
{{#PAGER}}
<nav class="pager" aria-label="Published comments">
{{#NEWER}}
<a class="newer" rel="prev" href="{{NEWER_URL}}">← Newer comments</a>
{{/NEWER}}
{{#OLDER}}
<a class="older" rel="next" href="{{OLDER_URL}}">Older comments →</a>
{{/OLDER}}
</nav>
{{/PAGER}}
{{/LIST}}
</section>
