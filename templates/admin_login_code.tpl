{{%AUTOESCAPE context="HTML"}}
<section class="admin admin-login">
<h1>Two-factor sign-in</h1>
<p>Enter the six-digit code your authenticator app shows now, or one of your recovery codes.</p>
{{#FORM_ERROR}}
<p class="form-error" role="alert">{{ERROR_TEXT}}</p>
{{/FORM_ERROR}}
<form class="admin-form" method="post" action="/admin/login/code">
<input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
<p>
<label for="login-code">Code</label>
<input id="login-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" autocapitalize="none" spellcheck="false" maxlength="64" required autofocus>
</p>
<p><button type="submit">Verify</button></p>
</form>
<p><a href="/admin/login">Start again</a></p>
</section>
