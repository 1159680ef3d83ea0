{{%AUTOESCAPE context="HTML"}}
{{>ADMIN_NAV}}
<section class="admin">
<div class="admin-heading">
<h1>{{HEADING_TEXT}}</h1>
{{#VIEW}}
<a class="button secondary" href="/posts/{{SLUG:x-path}}">View post</a>
{{/VIEW}}
</div>
{{#FORM_ERROR}}
<p class="form-error" role="alert">{{ERROR_TEXT}}</p>
{{/FORM_ERROR}}
<form class="admin-form post-form" method="post" action="{{FORM_ACTION}}">
<input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
<p>
<label for="post-title">Title</label>
<input id="post-title" name="title" type="text" value="{{FORM_TITLE}}" required>
{{#TITLE_ERROR}}
<span class="field-error">{{ERROR_TEXT}}</span>
{{/TITLE_ERROR}}
</p>
<p>
<label for="post-slug">Slug <span class="hint">optional: made from the title when empty</span></label>
<input id="post-slug" name="slug" type="text" value="{{FORM_SLUG}}" autocapitalize="none" spellcheck="false">
{{#SLUG_ERROR}}
<span class="field-error">{{ERROR_TEXT}}</span>
{{/SLUG_ERROR}}
</p>
<p>
<label for="post-body">Body <span class="hint">Markdown</span></label>
<textarea id="post-body" name="body" rows="18">{{FORM_BODY:pre_escape}}</textarea>
{{#BODY_ERROR}}
<span class="field-error">{{ERROR_TEXT}}</span>
{{/BODY_ERROR}}
</p>
<p>
<label for="post-tags">Tags <span class="hint">comma-separated</span></label>
<input id="post-tags" name="tags" type="text" value="{{FORM_TAGS}}" autocapitalize="none">
{{#TAGS_ERROR}}
<span class="field-error">{{ERROR_TEXT}}</span>
{{/TAGS_ERROR}}
</p>
<p class="checkbox">
<input id="post-published" name="published" type="checkbox" value="1"{{#PUBLISHED_CHECKED}} checked{{/PUBLISHED_CHECKED}}>
<label for="post-published">Published</label>
</p>
<p class="form-actions"><button type="submit">Save</button> <a href="/admin">Cancel</a></p>
</form>
{{>MEDIA_UPLOAD}}
</section>
