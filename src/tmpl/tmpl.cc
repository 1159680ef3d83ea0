/*
 * include/tmpl.h over ctemplate 2.4.
 *
 * A struct tmpl_dict * is a ctemplate::TemplateDictionary * in disguise.
 * Templates live in ctemplate's default cache, which is shared by every
 * thread and guards itself. No C++ exception may reach the C callers: the
 * functions that cannot report failure abort on one (they can only come
 * from allocation, see buf.h), tmpl_render and the loaders return -1.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iostream>
#include <sstream>
#include <string>
#include <vector>
#include <unordered_map>

#include <ctemplate/template.h>
#include <ctemplate/template_cache.h>
#include <ctemplate/template_dictionary.h>
#include <ctemplate/template_emitter.h>
#include <ctemplate/template_modifiers.h>

extern "C" {
#include "log.h"
#include "text.h"
#include "tmpl.h"
#include "tmpl_keys.h"
}

using ctemplate::StaticTemplateString;
using ctemplate::TemplateDictionary;
using ctemplate::TemplateString;

/* The C names of tmpl_keys.h. */
#define TMPL_KEY_DEFINE(name)      extern const char TK_##name[] = #name;
#define TMPL_FILE_DEFINE(id, file) extern const char TF_##id[] = file;
extern "C" {
TMPL_KEYS(TMPL_KEY_DEFINE)
TMPL_FILES(TMPL_FILE_DEFINE)
}

/* Their ctemplate twins, with ids computed once at start-up. */
#define TMPL_KEY_STS(name)                                                     \
	static const StaticTemplateString sts_##name =                         \
	    STS_INIT(sts_##name, #name);
TMPL_KEYS(TMPL_KEY_STS)

typedef std::unordered_map<const char *, const StaticTemplateString *>
    key_ptr_map;

/*
 * By the address of the TK_ constant, what the handlers pass: found without
 * hashing the name. Built on first use (C++ guarantees a thread-safe
 * one-time init) and only read afterwards, so lookups take no lock.
 */
static const key_ptr_map &
tmpl_key_ptr_map()
{
#define TMPL_KEY_ENTRY(name) {TK_##name, &sts_##name},
	static const key_ptr_map map = {TMPL_KEYS(TMPL_KEY_ENTRY)};
#undef TMPL_KEY_ENTRY
	return map;
}

/* Any other name (a test's literal) still works, through ctemplate's
 * global name table: same id, just slower. */
static TemplateString
tmpl_key(const char *name)
{
	const key_ptr_map &pmap = tmpl_key_ptr_map();
	auto pit = pmap.find(name);

	if (pit != pmap.end())
		return TemplateString(*pit->second);
	return TemplateString(name);
}

static TemplateDictionary *
dict_of(struct tmpl_dict *d)
{
	return reinterpret_cast<TemplateDictionary *>(d);
}

static struct tmpl_dict *
dict_from(TemplateDictionary *d)
{
	return reinterpret_cast<struct tmpl_dict *>(d);
}

/* Appends straight into the caller's buf: no intermediate std::string. */
class buf_emitter : public ctemplate::ExpandEmitter
{
      public:
	explicit buf_emitter(struct buf *out) : out_(out)
	{
	}
	/* Escaping emits most of a page one byte at a time. */
	void
	Emit(char c) override
	{
		if (out_->len + 1 < out_->cap) {
			out_->data[out_->len++] = c;
			out_->data[out_->len] = '\0';
		} else
			buf_putc(out_, c);
	}
	void
	Emit(const std::string &s) override
	{
		buf_append(out_, s.data(), s.size());
	}
	void
	Emit(const char *s) override
	{
		buf_puts(out_, s);
	}
	void
	Emit(const char *s, size_t len) override
	{
		buf_append(out_, s, len);
	}

      private:
	struct buf *out_;
};

/*
 * {{VAR:x-path}}: one URL path segment, percent-encoded except for RFC 3986
 * unreserved characters. ctemplate's :url_query_escape leaves '/' alone and
 * turns ' ' into '+', which is wrong inside a path (/tags/{tag}). The output
 * is only [A-Za-z0-9-._~%], safe in any HTML or XML context, so the modifier
 * is registered as XSS-safe and replaces auto-escaping for that value.
 */
class path_segment_modifier : public ctemplate::TemplateModifier
{
	void
	Modify(const char *in, size_t inlen, const ctemplate::PerExpandData *,
	       ctemplate::ExpandEmitter *out,
	       const std::string &) const override
	{
		/* In chunks through the stack: no allocation per value (a
		 * home page has some fifty of them). */
		char enc[3 * 64];

		while (inlen > 0) {
			size_t n = inlen < 64 ? inlen : 64;

			out->Emit(enc, text_url_encode(enc, in, n));
			in += n;
			inlen -= n;
		}
	}
};

static const path_segment_modifier tmpl_path_modifier;

/*
 * Plain-text templates (*.txt.tpl) keep their line breaks; HTML and
 * XML lose the indentation that only makes the sources readable.
 */
static ctemplate::Strip
tmpl_strip_for(const char *file)
{
	size_t len = strlen(file);
	static const char txt[] = ".txt.tpl";

	if (len >= sizeof(txt) - 1 &&
	    strcmp(file + len - (sizeof(txt) - 1), txt) == 0)
		return ctemplate::DO_NOT_STRIP;
	return ctemplate::STRIP_WHITESPACE;
}

static bool
tmpl_is_tpl(const char *name)
{
	size_t len = strlen(name);

	return len > 4 && strcmp(name + len - 4, ".tpl") == 0 && name[0] != '.';
}

/*
 * ctemplate reports its own trouble on std::cerr ("WARNING: Unable to
 * locate file ...", "ERROR: Template PATH: ERROR: cause"), which would put
 * a second line next to ours. While tmpl_init loads (start-up, before any
 * other thread renders) those lines are caught here instead, and the cause
 * goes into our one-line error.
 */
class cerr_capture
{
      public:
	cerr_capture() : old_(std::cerr.rdbuf(text_.rdbuf()))
	{
	}
	~cerr_capture()
	{
		std::cerr.rdbuf(old_);
	}
	cerr_capture(const cerr_capture &) = delete;
	cerr_capture &operator=(const cerr_capture &) = delete;

	/* The cause in ctemplate's last message, without its prefixes. */
	std::string
	cause()
	{
		std::string all = text_.str();
		size_t end = all.find_last_not_of("\n");

		if (end == std::string::npos)
			return "not a valid template";
		size_t nl = all.rfind('\n', end);
		size_t start = nl == std::string::npos ? 0 : nl + 1;
		std::string line = all.substr(start, end + 1 - start);
		size_t tag = line.rfind("ERROR: ");
		if (tag != std::string::npos)
			line.erase(0, tag + 7);
		return line;
	}

	void
	clear()
	{
		text_.str(std::string());
	}

      private:
	std::ostringstream text_;
	std::streambuf *old_;
};

/*
 * Checks that dir/file is a readable regular file before ctemplate sees it,
 * so that the error names the system's reason, not a guess (into err,
 * unless NULL).
 */
static int
tmpl_check_file(const char *dir, const char *file, char *err, size_t errlen)
{
	char path[4096];
	const char *why = NULL;
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		why = strerror(errno);
	} else {
		int rc = fstat(fd, &st);
		int e = errno;

		close(fd);
		if (rc == -1)
			why = strerror(e);
		else if (!S_ISREG(st.st_mode))
			why = "not a regular file";
	}
	if (why != NULL && err != NULL)
		snprintf(err, errlen, "%s: %s", path, why);
	return why == NULL ? 0 : -1;
}

/* Loads file from the first of dirs that has it; the error names the
 * first directory's reason when none has. */
static int
tmpl_load(cerr_capture &cap, const std::vector<std::string> &dirs,
          const char *file, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < dirs.size(); i++)
		if (tmpl_check_file(dirs[i].c_str(), file, i == 0 ? err : NULL,
		                    errlen) == 0)
			break;
	if (i == dirs.size())
		return -1;
	cap.clear();
	/* ctemplate searches the same directories in the same order. */
	if (ctemplate::mutable_default_template_cache()->LoadTemplate(
	        file, tmpl_strip_for(file)))
		return 0;
	snprintf(err, errlen, "%s/%s: %s", dirs[i].c_str(), file,
	         cap.cause().c_str());
	return -1;
}

static int
tmpl_load_dir(cerr_capture &cap, const std::vector<std::string> &dirs,
              const std::string &dir, char *err, size_t errlen)
{
	DIR *dh;
	struct dirent *de;
	int rc = 0;

	if ((dh = opendir(dir.c_str())) == NULL) {
		snprintf(err, errlen, "%s: %s", dir.c_str(), strerror(errno));
		return -1;
	}
	while (rc == 0 && (de = readdir(dh)) != NULL)
		if (tmpl_is_tpl(de->d_name))
			rc = tmpl_load(cap, dirs, de->d_name, err, errlen);
	closedir(dh);
	return rc;
}

/* The directories of search path "A:B:..." in order, each checked to be
 * one; empty (err set) otherwise. */
static std::vector<std::string>
tmpl_dirs(const char *path, char *err, size_t errlen)
{
	std::vector<std::string> dirs;
	std::string all(path);
	struct stat st;
	size_t from = 0;

	for (;;) {
		size_t colon = all.find(':', from);
		std::string dir = all.substr(from, colon == std::string::npos
		                                       ? std::string::npos
		                                       : colon - from);
		if (stat(dir.c_str(), &st) == -1) {
			snprintf(err, errlen, "%s: %s", dir.c_str(),
			         strerror(errno));
			return {};
		}
		if (!S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "%s: not a directory",
			         dir.c_str());
			return {};
		}
		dirs.push_back(dir);
		if (colon == std::string::npos)
			return dirs;
		from = colon + 1;
	}
}

static int
tmpl_init_cxx(const char *path, char *err, size_t errlen)
{
	ctemplate::TemplateCache *cache =
	    ctemplate::mutable_default_template_cache();
	std::vector<std::string> dirs = tmpl_dirs(path, err, errlen);
	cerr_capture cap;

	if (dirs.empty())
		return -1;
	/* Registration is global and must precede parsing; a second
	 * tmpl_init (tests) finds it done, which is fine. */
	ctemplate::AddXssSafeModifier("x-path", &tmpl_path_modifier);
	cache->ClearCache();
	if (!cache->SetTemplateRootDirectory(dirs[0])) {
		snprintf(err, errlen, "%s: cannot use as template directory",
		         dirs[0].c_str());
		return -1;
	}
	for (size_t i = 1; i < dirs.size(); i++)
		cache->AddAlternateTemplateRootDirectory(dirs[i]);
#define TMPL_FILE_LOAD(id, file)                                               \
	if (tmpl_load(cap, dirs, file, err, errlen) != 0)                      \
		return -1;
	TMPL_FILES(TMPL_FILE_LOAD)
#undef TMPL_FILE_LOAD
	for (const std::string &dir : dirs)
		if (tmpl_load_dir(cap, dirs, dir, err, errlen) != 0)
			return -1;
	return 0;
}

extern "C" int
tmpl_init(const char *dir, char *err, size_t errlen)
{
	try {
		return tmpl_init_cxx(dir, err, errlen);
	} catch (const std::exception &e) {
		snprintf(err, errlen, "%s: %s", dir, e.what());
	} catch (...) {
		snprintf(err, errlen, "%s: template loading failed", dir);
	}
	return -1;
}

extern "C" int
tmpl_reload(char *err, size_t errlen)
{
	try {
		/* ctemplate keeps a template's old version when the new one
		 * does not parse. */
		ctemplate::mutable_default_template_cache()->ReloadAllIfChanged(
		    ctemplate::TemplateCache::IMMEDIATE_RELOAD);
		return 0;
	} catch (const std::exception &e) {
		snprintf(err, errlen, "template reload: %s", e.what());
	} catch (...) {
		snprintf(err, errlen, "template reload failed");
	}
	return -1;
}

/* Only allocation can throw in the dictionary calls; see the top. */
[[noreturn]] static void
tmpl_fatal(const char *what)
{
	log_err("tmpl: %s: out of memory", what);
	abort();
}

extern "C" struct tmpl_dict *
tmpl_dict_new(void)
{
	try {
		return dict_from(new TemplateDictionary("page"));
	} catch (...) {
		tmpl_fatal("tmpl_dict_new");
	}
}

extern "C" void
tmpl_dict_free(struct tmpl_dict *d)
{
	delete dict_of(d);
}

extern "C" void
tmpl_set(struct tmpl_dict *d, const char *key, const char *value)
{
	try {
		dict_of(d)->SetValue(tmpl_key(key),
		                     TemplateString(value ? value : ""));
	} catch (...) {
		tmpl_fatal("tmpl_set");
	}
}

extern "C" void
tmpl_set_int(struct tmpl_dict *d, const char *key, long long value)
{
	char num[24];

	snprintf(num, sizeof(num), "%lld", value);
	tmpl_set(d, key, num);
}

extern "C" void
tmpl_show(struct tmpl_dict *d, const char *section)
{
	try {
		dict_of(d)->ShowSection(tmpl_key(section));
	} catch (...) {
		tmpl_fatal("tmpl_show");
	}
}

extern "C" struct tmpl_dict *
tmpl_add_section(struct tmpl_dict *d, const char *section)
{
	try {
		return dict_from(
		    dict_of(d)->AddSectionDictionary(tmpl_key(section)));
	} catch (...) {
		tmpl_fatal("tmpl_add_section");
	}
}

extern "C" struct tmpl_dict *
tmpl_add_include(struct tmpl_dict *d, const char *name, const char *file)
{
	try {
		TemplateDictionary *inc =
		    dict_of(d)->AddIncludeDictionary(tmpl_key(name));

		inc->SetFilename(TemplateString(file));
		return dict_from(inc);
	} catch (...) {
		tmpl_fatal("tmpl_add_include");
	}
}

extern "C" int
tmpl_render(const char *file, struct tmpl_dict *d, struct buf *out)
{
	try {
		buf_emitter emitter(out);

		if (ctemplate::mutable_default_template_cache()->ExpandWithData(
		        file, tmpl_strip_for(file), dict_of(d), NULL, &emitter))
			return 0;
		log_err("tmpl: cannot render %s", file);
	} catch (const std::exception &e) {
		log_err("tmpl: rendering %s: %s", file, e.what());
	} catch (...) {
		log_err("tmpl: rendering %s failed", file);
	}
	return -1;
}
