{{%AUTOESCAPE context="HTML"}}
<section class="error">
<h1>{{STATUS}} {{REASON}}</h1>
<p><a href="/">Back to the front page</a></p>
</section>
