/*
 * Every name the handlers pass to tmpl.h (values, sections, includes) and
 * every template file the server needs, in one place.
 *
 * tmpl/tmpl.cc turns the key list into ctemplate StaticTemplateStrings so
 * that setting a value does not take ctemplate's global lock on the name
 * table (docs/DEPENDENCIES.md: 13 µs instead of 28 µs per page with two
 * threads). A
 * name missing from this list still works, just more slowly.
 *
 * C code uses the constants: tmpl_set(d, TK_SITE_TITLE, ...).
 */
#ifndef BLOGD_TMPL_KEYS_H
#define BLOGD_TMPL_KEYS_H

#define TMPL_KEYS(X)                                                           \
	/* layout.tpl */                                                       \
	X(SITE_TITLE)                                                          \
	X(LANGUAGE)                                                            \
	X(PAGE_TITLE)                                                          \
	X(CONTENT)                                                             \
	X(NOTICE)                                                              \
	X(NOTICE_TEXT)                                                         \
	X(PAGE_DESCRIPTION)                                                    \
	X(NOINDEX)                                                             \
	X(INLINE_STYLE)                                                        \
	X(STYLE_CSS)                                                           \
	X(STYLESHEET)                                                          \
	X(STYLE_URL)                                                           \
	X(ADMIN_STYLE)                                                         \
	X(ADMIN_CSS_URL)                                                       \
	X(ICON)                                                                \
	X(ICON_URL)                                                            \
	X(NAV)                                                                 \
	X(NAV_ITEM)                                                            \
	/* error.tpl */                                                        \
	X(STATUS)                                                              \
	X(REASON)                                                              \
	/* index.tpl */                                                        \
	X(HEADING)                                                             \
	X(HEADING_TEXT)                                                        \
	X(EMPTY)                                                               \
	X(EMPTY_TEXT)                                                          \
	X(POST)                                                                \
	X(PAGER)                                                               \
	X(NEWER)                                                               \
	X(NEWER_URL)                                                           \
	X(OLDER)                                                               \
	X(OLDER_URL)                                                           \
	X(EXCERPT_BLOCKS)                                                      \
	X(EXCERPT_HTML)                                                        \
	X(EXCERPT_TEXT)                                                        \
	/* post.tpl (and the post rows of index.tpl) */                        \
	X(SLUG)                                                                \
	X(TITLE)                                                               \
	X(AUTHOR)                                                              \
	X(DATE)                                                                \
	X(DATE_ISO)                                                            \
	X(EXCERPT)                                                             \
	X(TAGS)                                                                \
	X(TAG)                                                                 \
	X(TAG_NAME)                                                            \
	X(BODY_HTML)                                                           \
	X(COMMENTS)                                                            \
	X(NO_COMMENTS)                                                         \
	X(COMMENT)                                                             \
	X(COMMENT_NAME)                                                        \
	X(COMMENT_BODY)                                                        \
	X(COMMENT_EMAIL)                                                       \
	X(EMAIL_ADDRESS)                                                       \
	X(LIST)                                                                \
	X(APPROVE)                                                             \
	X(PASSWORD_MIN)                                                        \
	X(USER)                                                                \
	X(ROLE)                                                                \
	X(SELF)                                                                \
	X(DELETE)                                                              \
	X(ADMIN_CHECKED)                                                       \
	X(REDIRECTS)                                                           \
	X(REDIRECT)                                                            \
	X(OLD_PATH)                                                            \
	X(LOCATION)                                                            \
	X(MOVED)                                                               \
	X(GONE)                                                                \
	X(GONE_CHECKED)                                                        \
	X(FORM_OLD_PATH)                                                       \
	X(FORM_TARGET)                                                         \
	X(POST_REDIRECTS)                                                      \
	X(POST_REDIRECT_COUNT)                                                 \
	X(CSRF_TOKEN)                                                          \
	X(FORM_STAMP)                                                          \
	X(FORM_NAME)                                                           \
	X(FORM_EMAIL)                                                          \
	X(FORM_BODY)                                                           \
	X(FORM_ERROR)                                                          \
	X(NAME_ERROR)                                                          \
	X(EMAIL_ERROR)                                                         \
	X(BODY_ERROR)                                                          \
	X(ERROR_TEXT)                                                          \
	X(MODERATED)                                                           \
	X(DISCUSSION)                                                          \
	/* admin_*.tpl */                                                      \
	X(ADMIN_NAV)                                                           \
	X(USER_NAME)                                                           \
	X(FORM_USERNAME)                                                       \
	X(PENDING_COUNT)                                                       \
	X(PENDING_TEXT)                                                        \
	X(POSTS)                                                               \
	X(POST_ID)                                                             \
	X(POST_STATUS)                                                         \
	X(POST_STATUS_CLASS)                                                   \
	X(VIEW)                                                                \
	X(VIEW_URL)                                                            \
	X(KIND_POST)                                                           \
	X(KIND_PAGE)                                                           \
	X(FORM_PUBLISH_AT)                                                     \
	X(PUBLISH_AT_ERROR)                                                    \
	X(TIME_ZONE)                                                           \
	X(FORM_ACTION)                                                         \
	X(FORM_TITLE)                                                          \
	X(FORM_SLUG)                                                           \
	X(FORM_TAGS)                                                           \
	X(PUBLISHED_CHECKED)                                                   \
	X(TITLE_ERROR)                                                         \
	X(SLUG_ERROR)                                                          \
	X(TAGS_ERROR)                                                          \
	X(COMMENT_ID)                                                          \
	/* admin_totp.tpl */                                                   \
	X(TOTP_OFF)                                                            \
	X(TOTP_PENDING)                                                        \
	X(TOTP_ON)                                                             \
	X(TOTP_SECRET)                                                         \
	X(QR_SVG)                                                              \
	X(RECOVERY_CODES)                                                      \
	X(RECOVERY_CODE)                                                       \
	X(RECOVERY_LEFT)                                                       \
	X(CODE)                                                                \
	/* layout.tpl head of public pages (handlers_meta) */                  \
	X(META)                                                                \
	X(DESCRIPTION)                                                         \
	X(URL)                                                                 \
	X(OG_TYPE)                                                             \
	X(TWITTER_CARD)                                                        \
	X(IMAGE_URL)                                                           \
	/* search.tpl (the results are an included index.tpl) */               \
	X(QUERY)                                                               \
	X(RESULTS)                                                             \
	/* feed.tpl, sitemap.tpl */                                            \
	X(BASE_URL)                                                            \
	X(ENTRY)                                                               \
	X(ENTRY_ID)                                                            \
	X(UPDATED)                                                             \
	X(PUBLISHED)                                                           \
	X(LASTMOD)                                                             \
	/* admin_media.tpl, media_upload.tpl */                                \
	X(MEDIA_UPLOAD)                                                        \
	X(INSERT)                                                              \
	X(NO_INSERT)                                                           \
	X(MAX_UPLOAD)                                                          \
	X(MAX_UPLOAD_BYTES)                                                    \
	X(SCRIPT_URL)                                                          \
	X(ADDED)                                                               \
	X(MARKDOWN)                                                            \
	X(MEDIA_LIST)                                                          \
	X(MEDIA)                                                               \
	X(IMAGE)                                                               \
	X(MEDIA_URL)                                                           \
	X(MEDIA_NAME)                                                          \
	X(MEDIA_TYPE)                                                          \
	X(MEDIA_SIZE)                                                          \
	X(MEDIA_ID)

/* Files that tmpl_init() insists on, so a missing one stops start-up. */
#define TMPL_FILES(X)                                                          \
	X(layout, "layout.tpl")                                                \
	X(error, "error.tpl")                                                  \
	X(index, "index.tpl")                                                  \
	X(post, "post.tpl")                                                    \
	X(page, "page.tpl")                                                    \
	X(comment_retry, "comment_retry.tpl")                                  \
	X(admin_nav, "admin_nav.tpl")                                          \
	X(admin_login, "admin_login.tpl")                                      \
	X(admin_login_code, "admin_login_code.tpl")                            \
	X(admin_totp, "admin_totp.tpl")                                        \
	X(admin_password, "admin_password.tpl")                                \
	X(admin_users, "admin_users.tpl")                                      \
	X(admin_redirects, "admin_redirects.tpl")                              \
	X(admin_index, "admin_index.tpl")                                      \
	X(admin_post, "admin_post.tpl")                                        \
	X(admin_comments, "admin_comments.tpl")                                \
	X(search, "search.tpl")                                                \
	X(feed, "feed.tpl")                                                    \
	X(sitemap, "sitemap.tpl")                                              \
	X(admin_media, "admin_media.tpl")                                      \
	X(media_upload, "media_upload.tpl")

#define TMPL_KEY_DECLARE(name)      extern const char TK_##name[];
#define TMPL_FILE_DECLARE(id, file) extern const char TF_##id[];
#ifdef __cplusplus
extern "C" {
#endif
TMPL_KEYS(TMPL_KEY_DECLARE)
TMPL_FILES(TMPL_FILE_DECLARE)
#ifdef __cplusplus
}
#endif
#undef TMPL_KEY_DECLARE
#undef TMPL_FILE_DECLARE

#endif
