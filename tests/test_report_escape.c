/*
 * test_report_escape.c — the text primitives every report writer uses: the
 * XML and JSON escapers exactly, JSON escaping read back by python3, random
 * bytes escaped into documents that xmllint and python3 parse; event lines
 * cut on a UTF-8 boundary; the number and time formats. Fixture and
 * helpers: report_util.h.
 */
#include "report_util.h"

#include <math.h>

/* ---- escaping ------------------------------------------------------------------- */

typedef struct esc_case {
    const char *in;
    size_t n;
    const char *out;
} esc_case;

/* Each case's input, escaped by fn, is exactly its output. */
static void assert_escapes(void (*fn)(FILE *, const char *, size_t), const esc_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *out = escape_to_string(fn, cases[i].in, cases[i].n);
        assert_string_equal(out, cases[i].out);
        free(out);
    }
}

static void test_xml_escape_exact(void **state)
{
    static const esc_case cases[] = {
        {"a<b>&c", 6, "a&lt;b&gt;&amp;c"},
        {"\"'", 2, "&quot;&#39;"},
        {"]]>", 3, "]]&gt;"},
        {"t\tn\nr\r", 6, "t&#9;n&#10;r&#13;"},
        {"\x01\x1f\x7f", 3, "\\x01\\x1f\\x7f"},
        {"nul\0x", 5, "nul\\x00x"},
        {"\xff", 1, "\xef\xbf\xbd"},
        {"\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd"},
        {"\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
        {"\xe2\x82", 2, "\xef\xbf\xbd\xef\xbf\xbd"},
        {"\xef\xbf\xbe", 3, "\xef\xbf\xbd"},
        {"\xc2\x85", 2, "\\u0085"},
        {"\xc3\xa9\xf0\x9d\x84\x9e", 6, "\xc3\xa9\xf0\x9d\x84\x9e"},
        {"back\\slash", 10, "back\\slash"},
        {"", 0, ""},
    };
    (void)state;
    assert_escapes(fl_report_xml_escape, cases, sizeof cases / sizeof cases[0]);
}

static void test_json_escape_exact(void **state)
{
    static const esc_case cases[] = {
        {"a\"b\\c/", 6, "a\\\"b\\\\c/"},
        {"\n\r\t\b\f", 5, "\\n\\r\\t\\b\\f"},
        {"\x01\x1f\x7f", 3, "\\u0001\\u001f\\u007f"},
        {"nul\0x", 5, "nul\\u0000x"},
        {"\xff\xfe", 2, "\\ufffd\\ufffd"},
        {"\xe2\x80\xa8\xe2\x80\xa9", 6, "\\u2028\\u2029"},
        {"\xc2\x85", 2, "\\u0085"},
        {"\xef\xbb\xbf\xef\xbf\xbf", 6, "\\ufeff\\uffff"},
        {"<>&'", 4, "<>&'"},
        {"\xc3\xa9\xf0\x9d\x84\x9e", 6, "\xc3\xa9\xf0\x9d\x84\x9e"},
    };
    (void)state;
    assert_escapes(fl_report_json_escape, cases, sizeof cases / sizeof cases[0]);
}

/* Valid UTF-8 with every control byte survives JSON escaping unchanged,
 * as read back by python3's json module. */
static void test_json_escape_roundtrip(void **state)
{
    fixture *fx = *state;
    char in[256], *esc;
    size_t n = 0, got_n;
    unsigned c;
    FILE *f;
    char *got;

    for (c = 1; c < 0x20; c++)
        in[n++] = (char)c;
    static const char tail[] = "\x7f\"\\/ <tag> \xc3\xa9 \xe2\x80\xa8 \xf0\x9d\x84\x9e end";
    memcpy(in + n, tail, sizeof tail - 1);
    n += sizeof tail - 1;
    esc = escape_to_string(fl_report_json_escape, in, n);
    f = fopen(path_in(fx, "rt.json"), "w");
    assert_non_null(f);
    fprintf(f, "{\"s\": \"%s\"}\n", esc);
    fclose(f);
    free(esc);
    assert_int_equal(run("python3 -c 'import json,sys; sys.stdout.buffer.write("
                         "json.load(open(sys.argv[1]))[\"s\"].encode(\"utf-8\"))' %s > %s",
                         path_in(fx, "rt.json"), path_in(fx, "rt.out")),
                     0);
    got = slurp(path_in(fx, "rt.out"), &got_n);
    assert_int_equal(got_n, n);
    assert_memory_equal(got, in, n);
    free(got);
}

/* Random bytes: escaped output is clean UTF-8, and xmllint / python parse
 * a document made of thousands of such strings. */
static void test_escape_random_bytes(void **state)
{
    fixture *fx = *state;
    FILE *x = fopen(path_in(fx, "rand.xml"), "w"), *j = fopen(path_in(fx, "rand.json"), "w");
    uint64_t r = 0x9e3779b97f4a7c15ull;
    char s[64];
    int i, k, n;

    assert_non_null(x);
    assert_non_null(j);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r>\n", x);
    fputs("[\n", j);
    for (i = 0; i < 3000; i++) {
        char *ex, *ej;
        n = i % 64;
        for (k = 0; k < n; k++) {
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            /* bias toward the interesting bytes */
            s[k] = k % 3 ? (char)(r & 0xff) : "<>&\"']\x01\x7f\xc3\xe2\xf0\xed\x80\xbf"[r % 14];
        }
        ex = escape_to_string(fl_report_xml_escape, s, (size_t)n);
        ej = escape_to_string(fl_report_json_escape, s, (size_t)n);
        assert_clean_utf8(ex, strlen(ex));
        assert_clean_utf8(ej, strlen(ej));
        fprintf(x, "<s a=\"%s\">%s</s>\n", ex, ex);
        fprintf(j, "%s\"%s\"\n", i ? "," : "", ej);
        free(ex);
        free(ej);
    }
    fputs("</r>\n", x);
    fputs("]\n", j);
    assert_int_equal(fclose(x), 0);
    assert_int_equal(fclose(j), 0);
    assert_int_equal(run("xmllint --noout %s", path_in(fx, "rand.xml")), 0);
    assert_int_equal(run("python3 -c 'import json,sys; assert len(json.load(open(sys.argv[1])))"
                         " == 3000' %s",
                         path_in(fx, "rand.json")),
                     0);
}

/* ---- event lines and numbers ------------------------------------------------------ */

/* Event lines are libsv's log lines, cut on a UTF-8 boundary when long. */
static void test_event_line(void **state)
{
    fl_report__buf b = {0};
    char msg[2001];
    sv_event ev = {.seq = 7, .time_ns = 1500000, .kind = SV_EV_CRASH, .sup = "root",
                   .child = "db", .incarnation = 2, .reason = SV_EXIT_PANIC, .message = "boom"};
    size_t i;

    (void)state;
    fl_report__event_line(&b, &ev);
    assert_non_null(strstr(fl_report__buf_str(&b), "crash"));
    assert_non_null(strstr(fl_report__buf_str(&b), "db"));
    assert_non_null(strstr(fl_report__buf_str(&b), "panic"));
    assert_non_null(strstr(fl_report__buf_str(&b), "boom"));
    for (i = 0; i + 1 < sizeof msg; i += 2)
        memcpy(msg + i, "\xc3\xa9", 2); /* é: every cut point is tested by some offset */
    msg[sizeof msg - 1] = '\0';
    for (i = 0; i < 4; i++) {
        ev.message = msg + i * 2;
        ev.seq = 1 + i * 1000; /* shifts the cut by whole digits */
        b.len = 0;
        fl_report__event_line(&b, &ev);
        assert_true(b.len < 400);
        assert_clean_utf8(b.p, b.len);
        assert_non_null(strstr(b.p, " bytes)"));
    }
    fl_report__buf_free(&b);
}

static void test_number_formats(void **state)
{
    char b[64];

    (void)state;
    fl_report__fmt_fixed(b, sizeof b, 1.5, 3);
    assert_string_equal(b, "1.500");
    fl_report__fmt_fixed(b, sizeof b, -0.0000004, 6);
    assert_string_equal(b, "0.000000");
    fl_report__fmt_fixed(b, sizeof b, NAN, 2);
    assert_string_equal(b, "0.00");
    fl_report__fmt_us(b, sizeof b, 1234567);
    assert_string_equal(b, "1234.567");
    fl_report__fmt_us(b, sizeof b, -5);
    assert_string_equal(b, "-0.005");
    fl_report__fmt_vtime(b, sizeof b, 0);
    assert_string_equal(b, "0 s");
    fl_report__fmt_vtime(b, sizeof b, 1500000);
    assert_string_equal(b, "1.5 ms");
    fl_report__fmt_vtime(b, sizeof b, 250000000000LL);
    assert_string_equal(b, "250 s");
    fl_report__fmt_vtime(b, sizeof b, 999);
    assert_string_equal(b, "999 ns");
    fl_report__fmt_iso8601(b, sizeof b, 0, true);
    assert_string_equal(b, "1970-01-01T00:00:00Z");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xml_escape_exact),
        cmocka_unit_test(test_json_escape_exact),
        cmocka_unit_test_setup_teardown(test_json_escape_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escape_random_bytes, setup, teardown),
        cmocka_unit_test(test_event_line),
        cmocka_unit_test(test_number_formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
