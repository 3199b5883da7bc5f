/*
 * fuzz_report.c — the report writers' escaping (reports/report.h).
 *
 * Input: arbitrary bytes (crash messages and backtraces are arbitrary).
 * fl_report_json_escape and fl_report_xml_escape each write them to a
 * memory stream; the output is re-parsed here and must be:
 *  JSON: valid UTF-8; placed between quotes, a valid JSON string: no raw
 *        control byte (< 0x20), no raw '"', every '\' starts one of the eight
 *        escapes or \uXXXX, surrogate escapes paired. When the input is valid
 *        UTF-8, the decoded string equals the input (nothing lost).
 *  XML:  valid UTF-8; only characters XML 1.0 allows; no raw '<', no raw '"'
 *        (the writers put escaped text in attributes too), no "]]>", every
 *        '&' starts a well-formed reference (&lt; &gt; &amp; &quot; &apos;
 *        &#N; &#xH;) naming an allowed character. When the input is valid
 *        UTF-8 made only of allowed characters other than the discouraged
 *        DEL and C1 controls (which the writers turn into visible text), the
 *        decoded text equals it.
 * A violation prints the input in hex and the output, then aborts.
 */
#include "report.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZR_MAX_IN 4096

static void fzr__fail(const char *what, const uint8_t *in, size_t n, const char *out,
                      size_t on, size_t at) {
    fprintf(stderr, "fuzz_report: %s at output byte %zu\ninput (%zu bytes):", what, at, n);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "%s%02x", i % 32 ? " " : "\n  ", in[i]);
    fprintf(stderr, "\noutput (%zu bytes): \"", on);
    for (size_t i = 0; i < on; i++) {
        unsigned char c = (unsigned char)out[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            fputc(c, stderr);
        else
            fprintf(stderr, "\\x%02x", c);
    }
    fprintf(stderr, "\"\n");
    abort();
}

/* Decode one strict UTF-8 scalar at s[0..n): its length (1..4) and *cp, or
 * 0 when the bytes there are not valid UTF-8 (overlong, surrogate, > U+10FFFF,
 * truncated, stray continuation). */
static size_t fzr__utf8(const uint8_t *s, size_t n, uint32_t *cp) {
    uint8_t c = s[0];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
        len = 2, v = c & 0x1fu, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3, v = c & 0x0fu, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4, v = c & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0u) != 0x80u)
            return 0;
        v = (v << 6) | (s[i] & 0x3fu);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return len;
}

static bool fzr__valid_utf8(const uint8_t *s, size_t n) {
    uint32_t cp;
    for (size_t i = 0; i < n;) {
        size_t l = fzr__utf8(s + i, n - i, &cp);
        if (!l)
            return false;
        i += l;
    }
    return true;
}

/* Append cp as UTF-8 to buf (cap checked by the caller: 4 bytes free). */
static size_t fzr__put_utf8(uint8_t *buf, uint32_t cp) {
    if (cp < 0x80) {
        buf[0] = (uint8_t)cp;
        return 1;
    } else if (cp < 0x800) {
        buf[0] = (uint8_t)(0xc0 | (cp >> 6));
        buf[1] = (uint8_t)(0x80 | (cp & 0x3f));
        return 2;
    } else if (cp < 0x10000) {
        buf[0] = (uint8_t)(0xe0 | (cp >> 12));
        buf[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        buf[2] = (uint8_t)(0x80 | (cp & 0x3f));
        return 3;
    }
    buf[0] = (uint8_t)(0xf0 | (cp >> 18));
    buf[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
    buf[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
    buf[3] = (uint8_t)(0x80 | (cp & 0x3f));
    return 4;
}

static int fzr__hex(uint8_t c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* \uXXXX at s (s[0] == '\\'): the 16-bit value, or -1. */
static long fzr__u4(const uint8_t *s, size_t n) {
    long v = 0;
    if (n < 6 || s[1] != 'u')
        return -1;
    for (size_t i = 2; i < 6; i++) {
        int h = fzr__hex(s[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

static bool fzr__xml_char(uint32_t cp) {
    return cp == 0x9 || cp == 0xa || cp == 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
           (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/* Validate JSON string content o[0..on) and decode it into dec (capacity
 * on + 4 is enough: every escape decodes to no more bytes than it takes). */
static size_t fzr__check_json(const uint8_t *in, size_t n, const char *out, size_t on,
                              uint8_t *dec) {
    const uint8_t *o = (const uint8_t *)out;
    size_t dn = 0;
    if (!fzr__valid_utf8(o, on))
        fzr__fail("json: output is not valid UTF-8", in, n, out, on, 0);
    for (size_t i = 0; i < on;) {
        uint8_t c = o[i];
        if (c < 0x20)
            fzr__fail("json: raw control byte", in, n, out, on, i);
        if (c == '"')
            fzr__fail("json: raw quote", in, n, out, on, i);
        if (c != '\\') {
            dec[dn++] = c;
            i++;
            continue;
        }
        if (i + 1 >= on)
            fzr__fail("json: dangling backslash", in, n, out, on, i);
        switch (o[i + 1]) {
        case '"': dec[dn++] = '"'; i += 2; continue;
        case '\\': dec[dn++] = '\\'; i += 2; continue;
        case '/': dec[dn++] = '/'; i += 2; continue;
        case 'b': dec[dn++] = '\b'; i += 2; continue;
        case 'f': dec[dn++] = '\f'; i += 2; continue;
        case 'n': dec[dn++] = '\n'; i += 2; continue;
        case 'r': dec[dn++] = '\r'; i += 2; continue;
        case 't': dec[dn++] = '\t'; i += 2; continue;
        case 'u': break;
        default: fzr__fail("json: bad escape", in, n, out, on, i);
        }
        long u = fzr__u4(o + i, on - i);
        if (u < 0)
            fzr__fail("json: bad \\u escape", in, n, out, on, i);
        i += 6;
        uint32_t cp = (uint32_t)u;
        if (cp >= 0xdc00 && cp <= 0xdfff)
            fzr__fail("json: lone low surrogate escape", in, n, out, on, i - 6);
        if (cp >= 0xd800 && cp <= 0xdbff) {
            long lo = i < on && o[i] == '\\' ? fzr__u4(o + i, on - i) : -1;
            if (lo < 0xdc00 || lo > 0xdfff)
                fzr__fail("json: high surrogate escape without low surrogate", in, n, out, on,
                          i - 6);
            cp = 0x10000 + ((cp - 0xd800) << 10) + ((uint32_t)lo - 0xdc00);
            i += 6;
        }
        dn += fzr__put_utf8(dec + dn, cp);
    }
    return dn;
}

static size_t fzr__check_xml(const uint8_t *in, size_t n, const char *out, size_t on,
                             uint8_t *dec) {
    const uint8_t *o = (const uint8_t *)out;
    size_t dn = 0;
    if (!fzr__valid_utf8(o, on))
        fzr__fail("xml: output is not valid UTF-8", in, n, out, on, 0);
    for (size_t i = 0; i < on;) {
        uint32_t cp;
        size_t l = fzr__utf8(o + i, on - i, &cp);
        if (!fzr__xml_char(cp))
            fzr__fail("xml: character XML 1.0 forbids", in, n, out, on, i);
        if (cp == '<')
            fzr__fail("xml: raw '<'", in, n, out, on, i);
        if (cp == '"')
            fzr__fail("xml: raw '\"'", in, n, out, on, i);
        if (cp == '>' && i >= 2 && o[i - 1] == ']' && o[i - 2] == ']')
            fzr__fail("xml: raw \"]]>\"", in, n, out, on, i);
        if (cp != '&') {
            memcpy(dec + dn, o + i, l);
            dn += l;
            i += l;
            continue;
        }
        static const struct { const char *name; char c; } ents[] = {
            {"lt;", '<'}, {"gt;", '>'}, {"amp;", '&'}, {"quot;", '"'}, {"apos;", '\''},
        };
        bool done = false;
        for (size_t k = 0; k < sizeof ents / sizeof ents[0] && !done; k++) {
            size_t el = strlen(ents[k].name);
            if (on - i - 1 >= el && memcmp(o + i + 1, ents[k].name, el) == 0) {
                dec[dn++] = (uint8_t)ents[k].c;
                i += 1 + el;
                done = true;
            }
        }
        if (done)
            continue;
        /* &#N; or &#xH; */
        size_t j = i + 1;
        uint32_t v = 0;
        int digits = 0;
        bool hex = false;
        if (j >= on || o[j] != '#')
            fzr__fail("xml: '&' not starting a reference", in, n, out, on, i);
        j++;
        if (j < on && o[j] == 'x') {
            hex = true;
            j++;
        }
        for (; j < on && o[j] != ';'; j++) {
            int d = hex ? fzr__hex(o[j]) : (o[j] >= '0' && o[j] <= '9' ? o[j] - '0' : -1);
            if (d < 0 || ++digits > 8)
                fzr__fail("xml: bad character reference", in, n, out, on, i);
            v = v * (hex ? 16u : 10u) + (uint32_t)d;
        }
        if (j >= on || digits == 0)
            fzr__fail("xml: unterminated character reference", in, n, out, on, i);
        if (!fzr__xml_char(v))
            fzr__fail("xml: reference to a character XML 1.0 forbids", in, n, out, on, i);
        dn += fzr__put_utf8(dec + dn, v);
        i = j + 1;
    }
    return dn;
}

static char *fzr__run(void (*esc)(FILE *, const char *, size_t), const uint8_t *in, size_t n,
                      size_t *on) {
    char *buf = NULL;
    FILE *f = open_memstream(&buf, on);
    if (!f) {
        perror("fuzz_report: open_memstream");
        abort();
    }
    esc(f, (const char *)in, n);
    if (fclose(f) != 0) {
        perror("fuzz_report: fclose");
        abort();
    }
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > FZR_MAX_IN)
        return 0;
    /* the escapers take (src, n): give them a copy with no terminator in reach */
    uint8_t *in = calloc(size ? size : 1, 1);
    if (!in)
        abort();
    if (size)
        memcpy(in, data, size);

    bool valid = fzr__valid_utf8(in, size);
    bool xml_ok = valid;
    uint32_t cp;
    for (size_t i = 0; xml_ok && i < size; i += fzr__utf8(in + i, size - i, &cp)) {
        fzr__utf8(in + i, size - i, &cp);
        /* DEL and C1 are legal but discouraged: the writers make them
         * visible as text (\x7f, \u0085; see reports/report_int.h) */
        xml_ok = fzr__xml_char(cp) && !(cp >= 0x7f && cp <= 0x9f) && cp != 0xfffe &&
                 cp != 0xffff;
    }

    size_t on;
    char *out = fzr__run(fl_report_json_escape, in, size, &on);
    uint8_t *dec = malloc(on + 4);
    if (!dec)
        abort();
    size_t dn = fzr__check_json(in, size, out, on, dec);
    if (valid && (dn != size || memcmp(dec, in, size) != 0))
        fzr__fail("json: valid UTF-8 input does not decode back to itself", in, size, out, on,
                  0);
    free(dec);
    free(out);

    out = fzr__run(fl_report_xml_escape, in, size, &on);
    dec = malloc(on + 4);
    if (!dec)
        abort();
    dn = fzr__check_xml(in, size, out, on, dec);
    if (xml_ok && (dn != size || memcmp(dec, in, size) != 0))
        fzr__fail("xml: valid input does not decode back to itself", in, size, out, on, 0);
    free(dec);
    free(out);
    free(in);
    return 0;
}
