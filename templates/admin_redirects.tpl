{{%AUTOESCAPE context="HTML"}}
{{>ADMIN_NAV}}
<section class="admin">
<div class="admin-heading">
<h1>Redirects</h1>
</div>
{{#FORM_ERROR}}
<p class="form-error" role="alert">{{ERROR_TEXT}}</p>
{{/FORM_ERROR}}
<p>An old path that no page answers sends visitors on: a moved feed, a renamed section, a page gone for good.{{#POST_REDIRECTS}} Besides these, {{POST_REDIRECT_COUNT}} old post addresses kept by the import lead to their posts.{{/POST_REDIRECTS}}</p>
{{#REDIRECTS}}
<table class="admin-posts">
<thead>
<tr><th>Old path</th><th>Goes to</th><th>Actions</th></tr>
</thead>
<tbody>
{{#REDIRECT}}
<tr>
<td class="title"><code>{{OLD_PATH}}</code></td>
<td>{{#MOVED}}<code>{{LOCATION}}</code>{{/MOVED}}{{#GONE}}gone (410){{/GONE}}</td>
<td class="actions">
<form class="inline" method="post" action="/admin/redirects/delete">
<input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
<input type="hidden" name="path" value="{{OLD_PATH}}">
<button type="submit" class="danger">Delete<span class="visually-hidden"> {{OLD_PATH}}</span></button>
</form>
</td>
</tr>
{{/REDIRECT}}
</tbody>
</table>
{{/REDIRECTS}}
<h2>Add a redirect</h2>
<form class="admin-form" method="post" action="/admin/redirects">
<input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
<p>
<label for="redirect-path">Old path</label>
<input id="redirect-path" name="path" type="text" value="{{FORM_OLD_PATH}}" maxlength="500" placeholder="/feed/" autocomplete="off" required>
</p>
<p>
<label for="redirect-target">Goes to (a path or an https:// address)</label>
<input id="redirect-target" name="target" type="text" value="{{FORM_TARGET}}" maxlength="500" placeholder="/feed.xml" autocomplete="off">
</p>
<p><label><input name="gone" type="checkbox" value="1"{{#GONE_CHECKED}} checked{{/GONE_CHECKED}}> Gone for good (410): no new address</label></p>
<p><button type="submit">Add redirect</button></p>
</form>
</section>
