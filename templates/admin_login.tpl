{{%AUTOESCAPE context="HTML"}}
<section class="admin admin-login">
<h1>Sign in</h1>
{{#FORM_ERROR}}
<p class="form-error" role="alert">{{ERROR_TEXT}}</p>
{{/FORM_ERROR}}
<form class="admin-form" method="post" action="/admin/login">
<input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
<p>
<label for="login-username">User name</label>
<input id="login-username" name="username" type="text" value="{{FORM_USERNAME}}" autocomplete="username" autocapitalize="none" spellcheck="false" required>
</p>
<p>
<label for="login-password">Password</label>
<input id="login-password" name="password" type="password" autocomplete="current-password" required>
</p>
<p><button type="submit">Sign in</button></p>
</form>
</section>
