{{%AUTOESCAPE context="HTML"}}
<section class="comments" id="comments">
<h1>Your comment is not saved yet</h1>
<p class="form-error" role="alert">{{ERROR_TEXT}}</p>
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
</p>
<p>
<label for="comment-email">E-mail (optional, never shown)</label>
<input id="comment-email" name="email" type="email" value="{{FORM_EMAIL}}" autocomplete="email">
</p>
<p>
<label for="comment-body">Comment</label>
<textarea id="comment-body" name="body" rows="6">{{FORM_BODY:pre_escape}}</textarea>
</p>
<p><button type="submit">Post comment</button> <a href="/posts/{{SLUG:x-path}}">Back to the post</a></p>
</form>
</section>
