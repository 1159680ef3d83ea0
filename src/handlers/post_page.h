/* The page of one post (post_page.c), shared by GET /posts/{slug}, the
 * comment POST and the preview. */
#ifndef BLOGD_HANDLERS_POST_PAGE_H
#define BLOGD_HANDLERS_POST_PAGE_H

#include "http.h"
#include "model.h"

/* What the comment form shows again after a failed POST. */
struct comment_form {
	const char *name; /* typed values (valid UTF-8), or NULL */
	const char *email;
	const char *body;
	const char *name_error; /* messages next to the fields, or NULL */
	const char *email_error;
	const char *body_error;
	const char *error; /* above the form; NULL: the fields' summary */
	const char *stamp; /* the form stamp to keep; NULL: a fresh one */
};

struct tmpl_dict;

/* The hidden fields of a comment form into content: a masked CSRF token
 * and the form stamp (stamp, or a fresh one when NULL). 0, or -1 when no
 * token could be made. */
int post_form_fields(struct http_request *req, struct tmpl_dict *content,
                     const char *stamp);

/* Renders post (post.tpl, or page.tpl for a page) with its sharing head
 * and notice (or NULL), and answers with status. A post also gets its
 * approved comments and the comment form (form may be NULL for an empty
 * one), unless comments is NULL (a preview). */
void post_page_render(struct http_request *req, int status,
                      const struct model_post *post,
                      const struct model_comment_list *comments,
                      const struct comment_form *form, const char *notice);

#endif
