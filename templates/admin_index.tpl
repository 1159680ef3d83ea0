{{%AUTOESCAPE context="HTML"}}
{{>ADMIN_NAV}}
<section class="admin">
<div class="admin-heading">
<h1>Posts</h1>
<a class="button" href="/admin/posts/new">New post</a>
</div>
<p class="admin-pending"><a href="/admin/comments"><span class="count">{{PENDING_COUNT}}</span> {{PENDING_TEXT}}</a></p>
<form class="search-form" method="get" action="/admin" role="search" aria-label="Find posts">
<label for="admin-q">Title or slug holds</label>
<input id="admin-q" name="q" type="search" maxlength="200" value="{{QUERY}}">
<button type="submit">Find</button>
</form>
{{#EMPTY}}
<p class="empty">{{EMPTY_TEXT}}</p>
{{/EMPTY}}
{{#POSTS}}
<table class="admin-posts">
<thead>
<tr><th>Title</th><th>Status</th><th>Date</th><th>Actions</th></tr>
</thead>
<tbody>
{{#POST}}
<tr>
<td class="title"><a href="/admin/posts/{{POST_ID}}/edit">{{TITLE}}</a></td>
<td class="status"><span class="badge {{POST_STATUS_CLASS}}">{{POST_STATUS}}</span></td>
<td class="date"><time datetime="{{DATE_ISO}}">{{DATE}}</time></td>
<td class="actions">
<div class="row-actions">
<a href="/admin/posts/{{POST_ID}}/edit">Edit</a>
{{#VIEW}}
<a href="{{VIEW_URL}}">View</a>
{{/VIEW}}
<form class="inline" method="post" action="/admin/posts/{{POST_ID}}/delete">
<input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
<button type="submit" class="danger">Delete</button>
</form>
</div>
</td>
</tr>
{{/POST}}
</tbody>
</table>
{{/POSTS}}
{{#PAGER}}
<nav class="pager" aria-label="Pages of posts">
{{#NEWER}}
<a class="newer" rel="prev" href="{{NEWER_URL}}">← Newer changes</a>
{{/NEWER}}
{{#OLDER}}
<a class="older" rel="next" href="{{OLDER_URL}}">Older changes →</a>
{{/OLDER}}
</nav>
{{/PAGER}}
</section>
