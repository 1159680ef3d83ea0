{{%AUTOESCAPE context="HTML"}}
<nav class="admin-nav" aria-label="Admin">
<a href="/admin">Posts</a>
<a href="/admin/posts/new">New post</a>
<a href="/admin/comments">Comments</a>
<a href="/admin/users">Users</a>
<a href="/admin/redirects">Redirects</a>
<a href="/admin/password">Password</a>
<a href="/admin/totp">Two-factor</a>
<a href="/admin/media">Media</a>
<form class="admin-logout" method="post" action="/admin/logout">
<input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
<span class="admin-user">{{USER_NAME}}</span>
<button type="submit" class="link-button">Sign out</button>
</form>
</nav>
