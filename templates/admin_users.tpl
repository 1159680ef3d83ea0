{{%AUTOESCAPE context="HTML"}}
{{>ADMIN_NAV}}
<section class="admin">
<div class="admin-heading">
<h1>Users</h1>
</div>
{{#FORM_ERROR}}
<p class="form-error" role="alert">{{ERROR_TEXT}}</p>
{{/FORM_ERROR}}
<table class="admin-posts">
<thead>
<tr><th>Name</th><th>Role</th><th>Since</th><th>Actions</th></tr>
</thead>
<tbody>
{{#USER}}
<tr>
<td class="title">{{USER_NAME}}</td>
<td class="status">{{ROLE}}</td>
<td class="date"><time datetime="{{DATE_ISO}}">{{DATE}}</time></td>
<td class="actions">
{{#SELF}}you{{/SELF}}
{{#DELETE}}
<form class="inline" method="post" action="/admin/users/{{USER_NAME:x-path}}/delete">
<input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
<button type="submit" class="danger">Delete</button>
</form>
{{/DELETE}}
</td>
</tr>
{{/USER}}
</tbody>
</table>
<h2>Add an account</h2>
<p>An admin signs in here; an author only names who wrote a post.</p>
<form class="admin-form" method="post" action="/admin/users">
<input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
<p>
<label for="user-name">Name</label>
<input id="user-name" name="name" type="text" value="{{FORM_NAME}}" maxlength="64" autocomplete="off" required>
</p>
<p>
<label for="user-password">Password (at least {{PASSWORD_MIN}} characters)</label>
<input id="user-password" name="password" type="password" autocomplete="new-password" minlength="{{PASSWORD_MIN}}" required>
</p>
<p>
<label for="user-password-again">Password again</label>
<input id="user-password-again" name="password_again" type="password" autocomplete="new-password" minlength="{{PASSWORD_MIN}}" required>
</p>
<p><label><input name="admin" type="checkbox" value="1"{{#ADMIN_CHECKED}} checked{{/ADMIN_CHECKED}}> Admin (may sign in and change everything)</label></p>
<p><button type="submit">Add account</button></p>
</form>
</section>
