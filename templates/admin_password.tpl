{{%AUTOESCAPE context="HTML"}}
{{>ADMIN_NAV}}
<section class="admin">
<div class="admin-heading">
<h1>Password</h1>
</div>
{{#FORM_ERROR}}
<p class="form-error" role="alert">{{ERROR_TEXT}}</p>
{{/FORM_ERROR}}
<p>A new password signs out every other session of your account; this one stays signed in.</p>
<form class="admin-form" method="post" action="/admin/password">
<input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
<input type="hidden" name="username" value="{{USER_NAME}}" autocomplete="username">
<p>
<label for="password-current">Current password</label>
<input id="password-current" name="password" type="password" autocomplete="current-password" required>
</p>
<p>
<label for="password-new">New password (at least {{PASSWORD_MIN}} characters)</label>
<input id="password-new" name="new_password" type="password" autocomplete="new-password" minlength="{{PASSWORD_MIN}}" required>
</p>
<p>
<label for="password-again">New password again</label>
<input id="password-again" name="new_password_again" type="password" autocomplete="new-password" minlength="{{PASSWORD_MIN}}" required>
</p>
<p><button type="submit">Change password</button></p>
</form>
</section>
