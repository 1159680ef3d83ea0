{{%AUTOESCAPE context="HTML"}}
<article class="post page">
<h1>{{TITLE}}</h1>
<div class="body">
{{BODY_HTML:none}}
</div>
</article>
