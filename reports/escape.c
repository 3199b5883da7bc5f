/*
 * escape.c — escaping arbitrary bytes (crash messages, backtraces, names)
 * for XML/HTML and JSON. Input is treated as UTF-8; every invalid byte
 * becomes U+FFFD, so the output is always valid UTF-8 and well-formed in
 * its context whatever the input holds.
 */
#include "report_int.h"

#include <string.h>

#define FL_REPORT__REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

size_t fl_report__utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    uint32_t c = s[0], min;
    size_t len, i;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        c &= 0x1f;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        c &= 0x0f;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        c &= 0x07;
        min = 0x10000;
    } else {
        return 0; /* continuation byte, overlong lead C0/C1, or F5..FF */
    }
    if (n < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

/* Markup (XML 1.0 / HTML) escaping of one code point; raw = its UTF-8 bytes. */
static void fl_report__escape_markup(FILE *out, uint32_t cp, const char *raw, size_t len,
                                     bool attr)
{
    switch (cp) {
    case '&': fputs("&amp;", out); return;
    case '<': fputs("&lt;", out); return;
    case '>': fputs("&gt;", out); return; /* also breaks any "]]>" */
    case '"': fputs(attr ? "&quot;" : "\"", out); return; /* text needs only & < > */
    case '\'': fputs(attr ? "&#39;" : "'", out); return;
    case '\t': fputs(attr ? "&#9;" : "\t", out); return;
    case '\n': fputs(attr ? "&#10;" : "\n", out); return;
    case '\r': fputs("&#13;", out); return; /* a raw CR would be normalised away */
    default: break;
    }
    if (cp < 0x20 || cp == 0x7f) /* not allowed (C0) or discouraged (DEL) */
        fprintf(out, "\\x%02x", (unsigned)cp);
    else if (cp >= 0x80 && cp <= 0x9f) /* C1 controls: discouraged in XML, errors in HTML */
        fprintf(out, "\\u%04x", (unsigned)cp);
    else if (cp == 0xfffe || cp == 0xffff) /* not XML Chars */
        fputs(FL_REPORT__REPLACEMENT, out);
    else
        fwrite(raw, 1, len, out);
}

/* JSON escaping of one code point; the result is also a valid YAML
 * double-quoted body (YAML forbids raw DEL, C1, U+FEFF, U+FFFE/U+FFFF). */
static void fl_report__escape_json_cp(FILE *out, uint32_t cp, const char *raw, size_t len)
{
    switch (cp) {
    case '"': fputs("\\\"", out); return;
    case '\\': fputs("\\\\", out); return;
    case '\n': fputs("\\n", out); return;
    case '\r': fputs("\\r", out); return;
    case '\t': fputs("\\t", out); return;
    case '\b': fputs("\\b", out); return;
    case '\f': fputs("\\f", out); return;
    default: break;
    }
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
        cp == 0xfeff || cp == 0xfffe || cp == 0xffff)
        fprintf(out, "\\u%04x", (unsigned)cp);
    else
        fwrite(raw, 1, len, out);
}

void fl_report__escape(FILE *out, const char *src, size_t n, fl_report__esc mode)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t i = 0, run, len;
    uint32_t cp;

    if (!src)
        return;
    while (i < n) {
        /* copy runs of plain printable ASCII in one call */
        for (run = i; run < n; run++) {
            unsigned char c = s[run];
            if (c < 0x20 || c >= 0x7f || c == '&' || c == '<' || c == '>' || c == '"' ||
                c == '\'' || c == '\\')
                break;
        }
        if (run > i) {
            fwrite(s + i, 1, run - i, out);
            i = run;
            continue;
        }
        len = fl_report__utf8_next(s + i, n - i, &cp);
        if (len == 0) {
            fputs(mode == FL_REPORT__ESC_JSON ? "\\ufffd" : FL_REPORT__REPLACEMENT, out);
            i++;
            continue;
        }
        if (mode == FL_REPORT__ESC_JSON)
            fl_report__escape_json_cp(out, cp, (const char *)s + i, len);
        else
            fl_report__escape_markup(out, cp, (const char *)s + i, len,
                                     mode == FL_REPORT__ESC_ATTR);
        i += len;
    }
}

void fl_report__esc_str(FILE *out, const char *s, fl_report__esc mode)
{
    if (s)
        fl_report__escape(out, s, strlen(s), mode);
}

void fl_report__json_str(FILE *out, const char *s)
{
    if (!s) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    fl_report__escape(out, s, strlen(s), FL_REPORT__ESC_JSON);
    fputc('"', out);
}

/* Writes src[0..n) (any bytes, NULs included) to out, valid both as XML
 * text and inside an attribute value (tab, newline and CR as character
 * references). Never fails; stream errors stay on out. */
void fl_report_xml_escape(FILE *out, const char *src, size_t n)
{
    fl_report__escape(out, src, n, FL_REPORT__ESC_ATTR);
}

/* Writes src[0..n) (any bytes) to out as the body of a JSON string, without
 * the quotes. Never fails; stream errors stay on out. */
void fl_report_json_escape(FILE *out, const char *src, size_t n)
{
    fl_report__escape(out, src, n, FL_REPORT__ESC_JSON);
}
