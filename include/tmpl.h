/*
 * A small C interface to ctemplate (tmpl/tmpl.cc). Templates live in
 * [paths] templates, are loaded once and shared by all threads; every
 * template starts with {{%AUTOESCAPE context="HTML"}} (or XML for feeds), so
 * values are escaped for their context. A value that is already safe HTML
 * (rendered Markdown) is marked in the template with :none, nowhere else.
 *
 * A struct tmpl_dict belongs to one request on one thread; section and
 * include dictionaries belong to their parent and die with it.
 */
#ifndef BLOGD_TMPL_H
#define BLOGD_TMPL_H

#include "buf.h"

struct tmpl_dict;

/* Loads every *.tpl under dir. -1 with err naming the file and cause. */
int tmpl_init(const char *dir, char *err, size_t errlen);
/* Re-reads templates that changed (SIGHUP); keeps the old ones on error. */
int tmpl_reload(char *err, size_t errlen);

struct tmpl_dict *tmpl_dict_new(void);
void tmpl_dict_free(struct tmpl_dict *d);
void tmpl_set(struct tmpl_dict *d, const char *key, const char *value);
void tmpl_set_int(struct tmpl_dict *d, const char *key, long long value);
/* Shows section name once (for {{#name}} used as a conditional). */
void tmpl_show(struct tmpl_dict *d, const char *section);
/* Adds one repetition of section name and returns its dictionary. */
struct tmpl_dict *tmpl_add_section(struct tmpl_dict *d, const char *section);
/* Fills {{>name}} with the template file and returns its dictionary. */
struct tmpl_dict *tmpl_add_include(struct tmpl_dict *d, const char *name,
                                   const char *file);
/* Renders file (relative to the templates dir) into out. 0 or -1. */
int tmpl_render(const char *file, struct tmpl_dict *d, struct buf *out);

#endif
