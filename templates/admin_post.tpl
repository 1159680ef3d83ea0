{{%AUTOESCAPE context="HTML"}}
{{>ADMIN_NAV}}
<section class="admin">
<div class="admin-heading">
<h1>{{HEADING_TEXT}}</h1>
{{#VIEW}}
<a class="button secondary" href="{{VIEW_URL}}">View post</a>
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
<p>
<label for="post-kind">Kind</label>
<select id="post-kind" name="kind">
<option value="post"{{#KIND_POST}} selected{{/KIND_POST}}>Post: in the lists, tags and feed</option>
<option value="page"{{#KIND_PAGE}} selected{{/KIND_PAGE}}>Page: linked in the site navigation only</option>
</select>
</p>
<p>
<label for="post-publish-at">Publish at <span class="hint">{{TIME_ZONE}} time; empty: when first published; a later time schedules it</span></label>
<input id="post-publish-at" name="publish_at" type="datetime-local" step="1" value="{{FORM_PUBLISH_AT}}">
{{#PUBLISH_AT_ERROR}}
<span class="field-error">{{ERROR_TEXT}}</span>
{{/PUBLISH_AT_ERROR}}
</p>
<p class="checkbox">
<input id="post-published" name="published" type="checkbox" value="1"{{#PUBLISHED_CHECKED}} checked{{/PUBLISHED_CHECKED}}>
<label for="post-published">Published</label>
</p>
<p class="form-actions"><button type="submit">Save</button> <button type="submit" class="secondary" formaction="/admin/preview" formtarget="_blank">Preview</button> <a href="/admin">Cancel</a></p>
</form>
{{>MEDIA_UPLOAD}}
</section>
