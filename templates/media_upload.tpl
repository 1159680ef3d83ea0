{{%AUTOESCAPE context="HTML"}}
<form class="admin-form media-upload" method="post" action="/admin/media" enctype="multipart/form-data"{{#INSERT}} data-insert="post-body"{{/INSERT}}>
<input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
<p>
<label for="media-file">{{#INSERT}}Add an image or file to the body{{/INSERT}}{{#NO_INSERT}}Upload an image or file{{/NO_INSERT}} <span class="hint">PNG, JPEG, GIF, WebP or PDF, at most {{MAX_UPLOAD}}</span></label>
<input id="media-file" name="file" type="file" accept="image/png,image/jpeg,image/gif,image/webp,application/pdf" data-max="{{MAX_UPLOAD_BYTES}}" required>
<button type="submit">Upload</button>
</p>
<p class="media-status" role="status"></p>
</form>
{{#INSERT}}
<script src="{{SCRIPT_URL}}" defer></script>
{{/INSERT}}
