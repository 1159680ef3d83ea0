{{%AUTOESCAPE context="HTML"}}
{{>ADMIN_NAV}}
<section class="admin">
<div class="admin-heading">
<h1>Media</h1>
</div>
{{#FORM_ERROR}}
<p class="form-error" role="alert">{{ERROR_TEXT}}</p>
{{/FORM_ERROR}}
{{#ADDED}}
<p class="media-added">Copy this into a post: <code>{{MARKDOWN}}</code></p>
{{/ADDED}}
{{>MEDIA_UPLOAD}}
{{#EMPTY}}
<p class="empty">No images or files yet.</p>
{{/EMPTY}}
{{#MEDIA_LIST}}
<table class="admin-posts admin-media">
<thead>
<tr><th>File</th><th>Markdown</th><th>Type</th><th>Size</th><th>Date</th><th>Actions</th></tr>
</thead>
<tbody>
{{#MEDIA}}
<tr>
<td class="title">{{#IMAGE}}<img src="{{MEDIA_URL}}" alt="" loading="lazy"> {{/IMAGE}}<a href="{{MEDIA_URL}}">{{MEDIA_NAME}}</a></td>
<td class="markdown"><code>{{MARKDOWN}}</code></td>
<td class="type">{{MEDIA_TYPE}}</td>
<td class="size">{{MEDIA_SIZE}}</td>
<td class="date"><time datetime="{{DATE_ISO}}">{{DATE}}</time></td>
<td class="actions">
<form class="inline" method="post" action="/admin/media/{{MEDIA_ID}}/delete">
<input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
<button type="submit" class="danger">Delete</button>
</form>
</td>
</tr>
{{/MEDIA}}
</tbody>
</table>
{{/MEDIA_LIST}}
</section>
