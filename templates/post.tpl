{{%AUTOESCAPE context="HTML"}}
<article class="post">
<header>
<h1>{{TITLE}}</h1>
<p class="meta">By <a href="/authors/{{AUTHOR:x-path}}">{{AUTHOR}}</a> on <time datetime="{{DATE_ISO}}">{{DATE}}</time></p>
{{#TAGS}}
<ul class="tags">
{{#TAG}}
<li><a href="/tags/{{TAG_NAME:x-path}}">{{TAG_NAME}}</a></li>
{{/TAG}}
</ul>
{{/TAGS}}
</header>
<div class="body">
{{BODY_HTML:none}}
</div>
</article>
{{#DISCUSSION}}
<section class="comments" id="comments">
<h2>Comments</h2>
{{#NO_COMMENTS}}
<p class="empty">No comments yet.</p>
{{/NO_COMMENTS}}
{{#COMMENTS}}
<ol class="comment-list">
{{#COMMENT}}
<li class="comment">
<p class="meta"><strong>{{COMMENT_NAME}}</strong> on <time datetime="{{DATE_ISO}}">{{DATE}}</time></p>
<p class="comment-body">{{COMMENT_BODY:pre_escape}}</p>
</li>
{{/COMMENT}}
</ol>
{{/COMMENTS}}
<h3 id="comment-form">Leave a comment</h3>
{{#MODERATED}}
<p class="hint">Comments appear after moderation.</p>
{{/MODERATED}}
{{#FORM_ERROR}}
<p class="form-error" role="alert">{{ERROR_TEXT}}</p>
{{/FORM_ERROR}}
<form class="comment-form" method="post" action="/posts/{{SLUG:x-path}}/comments">
<input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
<input type="hidden" name="form_stamp" value="{{FORM_STAMP}}">
<p class="hp" aria-hidden="true">
<label for="comment-website">Website (leave this empty)</label>
<input id="comment-website" name="website" type="text" value="" tabindex="-1" autocomplete="off">
</p>
<p>
<label for="comment-name">Name</label>
<input id="comment-name" name="name" type="text" value="{{FORM_NAME}}">
{{#NAME_ERROR}}
<span class="field-error">{{ERROR_TEXT}}</span>
{{/NAME_ERROR}}
</p>
<p>
<label for="comment-email">E-mail (optional, never shown)</label>
<input id="comment-email" name="email" type="email" value="{{FORM_EMAIL}}" autocomplete="email">
{{#EMAIL_ERROR}}
<span class="field-error">{{ERROR_TEXT}}</span>
{{/EMAIL_ERROR}}
</p>
<p>
<label for="comment-body">Comment</label>
<textarea id="comment-body" name="body" rows="6">{{FORM_BODY:pre_escape}}</textarea>
{{#BODY_ERROR}}
<span class="field-error">{{ERROR_TEXT}}</span>
{{/BODY_ERROR}}
</p>
<p><button type="submit">Post comment</button></p>
</form>
</section>
{{/DISCUSSION}}
