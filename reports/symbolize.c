/*
 * symbolize.c — backtrace text from libsv ("#3 faultline(+0x327ac) [0x…]")
 * made readable: function name and file:line from the module's DWARF,
 * through elfutils' libdwfl offline API (dwfl_report_offline, then
 * dwfl_module_addrinfo / dwfl_module_getsrc). Runs at report-writing time,
 * never in a signal handler.
 *
 * Frame grammar (libsv's crash.c, glibc's backtrace_symbols form):
 *   [spaces] "#" N " " MODULE "(" [SYM] "+0x" HEX ")" " [0x" HEX "]"
 * MODULE(+OFF): OFF is pc minus the module's load base (dladdr's dli_fbase),
 * which is the module's first mapped address; in the offline dwfl module
 * that is dwfl_module_info's start, so the address is start + OFF.
 * MODULE(SYM+OFF): the address is SYM's (found in the module's symbol
 * table) plus OFF. Every pc but a faulting one is a return address, so the
 * lookup uses address - 1 (still inside the call instruction: the right
 * function and line); for the faulting frame of a signal this can name the
 * line before, never another function.
 *
 * Names: the DWARF name of the innermost function at the address (an
 * inlined function is named, with the function it was inlined into), else
 * the ELF symbol (dwfl_module_addrinfo).
 *
 * Cache: one Dwfl per module name, opened on first use and kept (also when
 * the module could not be opened: negative entries), guarded by one mutex
 * because libdwfl objects are not thread-safe.
 */
#include "report_int.h"

#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FL_SYM_MODULES 16

typedef struct fl_sym_mod {
    char name[256];    /* as written in the frame text */
    Dwfl *dwfl;        /* NULL: could not be opened (negative entry) */
    Dwfl_Module *mod;
    Dwarf_Addr start;  /* module's lowest mapped address in dwfl's layout */
} fl_sym_mod;

static pthread_mutex_t fl_sym_lock = PTHREAD_MUTEX_INITIALIZER;
static fl_sym_mod fl_sym_cache[FL_SYM_MODULES];
static size_t fl_sym_n;
static char fl_sym_cwd[PATH_MAX]; /* "" until first use; source paths under it are cut */

static const Dwfl_Callbacks fl_sym_callbacks = {
    /* the file's own DWARF, else /usr/lib/debug/.build-id: local only */
    .find_debuginfo = dwfl_build_id_find_debuginfo,
    .section_address = dwfl_offline_section_address,
};

static const char *fl_sym_base(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* Only regular files are opened: a frame's text could name a FIFO or a
 * device, whose open() would block or read forever. */
static int fl_sym_regular(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode) ? 0 : -ENOENT;
}

/* The file a bare module name stands for: the running executable, or an
 * object mapped into this process; a name with a '/' as given. 0 with out
 * filled (a regular file), or -ENOENT. */
static int fl_sym_find_path(const char *name, char *out, size_t cap)
{
    char exe[PATH_MAX], line[PATH_MAX + 256];
    ssize_t n;
    FILE *maps;

    if (strchr(name, '/')) {
        snprintf(out, cap, "%s", name);
        return fl_sym_regular(out);
    }
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        if (strcmp(fl_sym_base(exe), name) == 0) {
            snprintf(out, cap, "%s", exe);
            return fl_sym_regular(out);
        }
    }
    maps = fopen("/proc/self/maps", "re");
    if (!maps)
        return -ENOENT;
    while (fgets(line, sizeof line, maps)) {
        char *path = strchr(line, '/');
        if (!path)
            continue;
        path[strcspn(path, "\n")] = '\0';
        if (strcmp(fl_sym_base(path), name) == 0 && fl_sym_regular(path) == 0) {
            snprintf(out, cap, "%s", path);
            fclose(maps);
            return 0;
        }
    }
    fclose(maps);
    return -ENOENT;
}

/* The cached module for name, opening it on first use; NULL when it
 * cannot be opened (remembered) or the cache is full. Lock held. */
static fl_sym_mod *fl_sym_module(const char *name)
{
    char path[PATH_MAX];
    fl_sym_mod *m;

    for (size_t i = 0; i < fl_sym_n; i++)
        if (strcmp(fl_sym_cache[i].name, name) == 0)
            return fl_sym_cache[i].dwfl ? &fl_sym_cache[i] : NULL;
    if (fl_sym_n == FL_SYM_MODULES || strlen(name) >= sizeof m->name)
        return NULL;
    m = &fl_sym_cache[fl_sym_n++];
    memset(m, 0, sizeof *m);
    strcpy(m->name, name);
    if (fl_sym_find_path(name, path, sizeof path) < 0)
        return NULL;
    m->dwfl = dwfl_begin(&fl_sym_callbacks);
    if (!m->dwfl)
        return NULL;
    m->mod = dwfl_report_offline(m->dwfl, name, path, -1);
    if (!m->mod || dwfl_report_end(m->dwfl, NULL, NULL) != 0) {
        dwfl_end(m->dwfl);
        m->dwfl = NULL;
        return NULL;
    }
    dwfl_module_info(m->mod, NULL, &m->start, NULL, NULL, NULL, NULL, NULL);
    return m;
}

/* Address of symbol sym in m (its first definition), or 0. */
static Dwarf_Addr fl_sym_lookup(fl_sym_mod *m, const char *sym)
{
    int n = dwfl_module_getsymtab(m->mod);

    for (int i = 0; i < n; i++) {
        GElf_Sym s;
        GElf_Addr addr;
        const char *nm = dwfl_module_getsym_info(m->mod, i, &s, &addr, NULL, NULL, NULL);
        if (nm && addr && GELF_ST_TYPE(s.st_info) == STT_FUNC && strcmp(nm, sym) == 0)
            return addr;
    }
    return 0;
}

/* The source-level function at addr from DWARF: the innermost subprogram
 * or inlined subroutine (so a GCC clone "f.constprop.0" is named "f"); and
 * the function it was inlined into, when it was. Names into fn/outer
 * (empty when DWARF does not say). */
static void fl_sym_dwarf_func(fl_sym_mod *m, Dwarf_Addr addr, char *fn, size_t fncap,
                              char *outer, size_t outcap)
{
    Dwarf_Addr bias = 0;
    Dwarf_Die *cu = dwfl_module_addrdie(m->mod, addr, &bias), *scopes = NULL;
    int n = cu ? dwarf_getscopes(cu, addr - bias, &scopes) : 0;

    fn[0] = outer[0] = '\0';
    for (int i = 0; i < n; i++) {
        int tag = dwarf_tag(&scopes[i]);
        const char *name;
        if (tag != DW_TAG_subprogram && tag != DW_TAG_inlined_subroutine)
            continue;
        name = dwarf_diename(&scopes[i]);
        if (!name)
            continue;
        if (!fn[0]) {
            snprintf(fn, fncap, "%s", name);
            if (tag == DW_TAG_subprogram)
                break;
        } else {
            snprintf(outer, outcap, "%s", name);
            if (tag == DW_TAG_subprogram)
                break;
        }
    }
    free(scopes);
}

/* A parsed frame line. Pointers into the line; lengths exclude the NUL. */
typedef struct fl_sym_frame {
    const char *mod;
    size_t modlen;
    const char *sym; /* NULL when the frame is MODULE(+OFF) */
    size_t symlen;
    unsigned long long off;
    size_t head; /* bytes of "[spaces]#N " before the module */
} fl_sym_frame;

static bool fl_sym_parse(const char *s, size_t n, fl_sym_frame *fr)
{
    size_t i = 0, j;
    char *end;
    const char *plus;

    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i == n || s[i] != '#')
        return false;
    for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
        ;
    if (i == n || s[i] != ' ')
        return false;
    fr->head = ++i;
    for (j = i; j < n && s[j] != '(' && s[j] != ' '; j++)
        ;
    if (j == i || j == n || s[j] != '(')
        return false;
    fr->mod = s + i;
    fr->modlen = j - i;
    plus = memchr(s + j, '+', n - j);
    if (!plus || (size_t)(plus - s) + 3 >= n || plus[1] != '0' || plus[2] != 'x')
        return false;
    fr->sym = plus > s + j + 1 ? s + j + 1 : NULL;
    fr->symlen = (size_t)(plus - (s + j + 1));
    errno = 0;
    fr->off = strtoull(plus + 3, &end, 16);
    return errno == 0 && end > plus + 3 && end < s + n && *end == ')';
}

/* Appends the readable form of the frame line s[0..n) to b; false when it
 * cannot be resolved (the caller copies the line as it is). Lock held. */
static bool fl_sym_frame_text(fl_report__buf *b, const char *s, size_t n)
{
    fl_sym_frame fr;
    char name[256], sym[512], dfn[256], douter[256];
    fl_sym_mod *m;
    Dwarf_Addr addr;
    GElf_Off symoff;
    GElf_Sym esym;
    Dwfl_Line *line;
    const char *fn, *file = NULL;
    int lineno = 0;

    if (!fl_sym_parse(s, n, &fr) || fr.modlen >= sizeof name || fr.symlen >= sizeof sym)
        return false;
    memcpy(name, fr.mod, fr.modlen);
    name[fr.modlen] = '\0';
    m = fl_sym_module(name);
    if (!m)
        return false;
    if (fr.sym) {
        memcpy(sym, fr.sym, fr.symlen);
        sym[fr.symlen] = '\0';
        addr = fl_sym_lookup(m, sym);
        if (!addr)
            return false;
        addr += fr.off;
    } else {
        addr = m->start + fr.off;
    }
    if (addr > m->start)
        addr--; /* a return address: look up the call instruction */
    fn = dwfl_module_addrinfo(m->mod, addr, &symoff, &esym, NULL, NULL, NULL);
    line = dwfl_module_getsrc(m->mod, addr);
    if (line)
        file = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
    fl_sym_dwarf_func(m, addr, dfn, sizeof dfn, douter, sizeof douter);
    if (dfn[0])
        fn = dfn;
    if (!file && (!fn || fr.sym))
        return false; /* nothing the line does not already say */
    fl_report__buf_add(b, s, fr.head);
    fl_report__buf_puts(b, fn ? fn : "??");
    if (douter[0])
        fl_report__buf_printf(b, " [inlined into %s]", douter);
    if (file) {
        size_t cl = strlen(fl_sym_cwd);
        if (cl > 1 && strncmp(file, fl_sym_cwd, cl) == 0 && file[cl] == '/')
            file += cl + 1;
        fl_report__buf_printf(b, " (%s:%d)", file, lineno);
    }
    fl_report__buf_add(b, " ", 1);
    fl_report__buf_add(b, s + fr.head, n - fr.head);
    return true;
}

char *fl_report_symbolize(const char *bt)
{
    fl_report__buf b = {0};
    const char *p;

    if (!bt)
        return NULL;
    pthread_mutex_lock(&fl_sym_lock);
    if (!fl_sym_cwd[0] && !getcwd(fl_sym_cwd, sizeof fl_sym_cwd))
        strcpy(fl_sym_cwd, "/"); /* no cut */
    for (p = bt; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (!fl_sym_frame_text(&b, p, n))
            fl_report__buf_add(&b, p, n);
        if (nl)
            fl_report__buf_add(&b, "\n", 1);
        p += n + (nl != NULL);
    }
    pthread_mutex_unlock(&fl_sym_lock);
    if (b.err) {
        fl_report__buf_free(&b);
        return NULL;
    }
    if (!b.p) /* empty input */
        return strdup("");
    return b.p;
}

void fl_report_symbolize_reset(void)
{
    pthread_mutex_lock(&fl_sym_lock);
    for (size_t i = 0; i < fl_sym_n; i++)
        if (fl_sym_cache[i].dwfl)
            dwfl_end(fl_sym_cache[i].dwfl);
    fl_sym_n = 0;
    fl_sym_cwd[0] = '\0';
    pthread_mutex_unlock(&fl_sym_lock);
}
