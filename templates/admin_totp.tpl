{{%AUTOESCAPE context="HTML"}}
{{>ADMIN_NAV}}
<section class="admin admin-totp">
<div class="admin-heading">
<h1>Two-factor sign-in</h1>
</div>
{{#FORM_ERROR}}
<p class="form-error" role="alert">{{ERROR_TEXT}}</p>
{{/FORM_ERROR}}
{{#TOTP_OFF}}
<p>Two-factor sign-in is <strong>off</strong>. With it on, signing in needs your password and a six-digit code from an authenticator app on your phone, which changes every 30 seconds.</p>
<form method="post" action="/admin/totp/start">
<input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
<p><button type="submit">Set up two-factor sign-in</button></p>
</form>
{{/TOTP_OFF}}
{{#TOTP_PENDING}}
<h2>1. Add this account to your authenticator app</h2>
<p>Scan the QR code, or type the key by hand.</p>
<div class="totp-qr">{{QR_SVG:none}}</div>
<p>Key: <code class="totp-secret" id="totp-secret">{{TOTP_SECRET}}</code></p>
<h2>2. Confirm with a code</h2>
<form class="admin-form" method="post" action="/admin/totp/confirm">
<input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
<p>
<label for="totp-code">Code from the app</label>
<input id="totp-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" autocapitalize="none" spellcheck="false" maxlength="64" required>
</p>
<p><button type="submit">Turn on two-factor sign-in</button></p>
</form>
{{/TOTP_PENDING}}
{{#RECOVERY_CODES}}
<p>Two-factor sign-in is <strong>on</strong>.</p>
<h2>Your recovery codes</h2>
<p>Each of these codes signs you in once in place of a code from the app, if you lose your phone. Keep them somewhere safe: they are shown only now.</p>
<ul class="totp-recovery">
{{#RECOVERY_CODE}}
<li><code>{{CODE}}</code></li>
{{/RECOVERY_CODE}}
</ul>
<p><a href="/admin">Done</a></p>
{{/RECOVERY_CODES}}
{{#TOTP_ON}}
<p>Two-factor sign-in is <strong>on</strong>. Unused recovery codes left: <span class="totp-left">{{RECOVERY_LEFT}}</span>.</p>
<h2>New recovery codes, or turn it off</h2>
<form class="admin-form" method="post" action="/admin/totp/disable">
<input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
<p>Give your password or a current code. New recovery codes replace all the old ones.</p>
<p>
<label for="disable-password">Password</label>
<input id="disable-password" name="password" type="password" autocomplete="current-password">
</p>
<p>
<label for="disable-code">Code from the app</label>
<input id="disable-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" autocapitalize="none" spellcheck="false" maxlength="64">
</p>
<p><button type="submit" formaction="/admin/totp/recovery">Make new recovery codes</button>
<button type="submit" class="danger">Turn off two-factor sign-in</button></p>
</form>
{{/TOTP_ON}}
</section>
