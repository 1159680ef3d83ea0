{{%AUTOESCAPE context="HTML"}}
<section class="search">
<h1 class="list-heading">{{HEADING_TEXT}}</h1>
<form class="search-form" method="get" action="/search" role="search" aria-label="Search the posts">
<label for="search-q">Words to find</label>
<input id="search-q" name="q" type="search" maxlength="200" value="{{QUERY}}">
<button type="submit">Search</button>
</form>
</section>
{{>RESULTS}}
