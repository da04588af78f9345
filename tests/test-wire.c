/* test-wire.c: the sync wire codec: envelope validation, canonical JSON, NDJSON, gzip, errors. */
#include "wire.h"

#include <string.h>
#include <zlib.h>

#define GOOD_ENVELOPE \
  "{\"v\":1,\"id\":\"0b0e7c1e-3a52-4c39-9d0b-6f1e2a3b4c5d\",\"type\":\"child\",\"rev\":2," \
  "\"device_id\":\"22222222-2222-4222-8222-222222222222\"," \
  "\"author\":\"33333333-3333-4333-8333-333333333333\"," \
  "\"community_id\":\"11111111-1111-4111-8111-111111111111\"," \
  "\"created\":\"2026-11-23T09:00:00Z\",\"modified\":\"2026-11-23T09:05:00.250Z\"," \
  "\"schema\":\"clmrs.child@1\",\"rules\":\"gh@2024.1\"," \
  "\"body\":{\"household_id\":\"44444444-4444-4444-8444-444444444444\",\"name\":\"Ama\"," \
  "\"sex\":\"female\",\"dob\":null}}"

static void
test_envelope_good (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsEnvelope) env = clmrs_envelope_parse (GOOD_ENVELOPE, strlen (GOOD_ENVELOPE), 1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (env);
  g_assert_cmpint (env->type, ==, CLMRS_RECORD_CHILD);
  g_assert_cmpstr (env->id, ==, "0b0e7c1e-3a52-4c39-9d0b-6f1e2a3b4c5d");
  g_assert_cmpint (env->rev, ==, 2);
  g_assert_cmpstr (env->community_id, ==, "11111111-1111-4111-8111-111111111111");
  g_assert_cmpstr (env->rules, ==, "gh@2024.1");
  g_assert_cmpstr (env->household_id, ==, "44444444-4444-4444-8444-444444444444");
  g_assert_null (env->child_id);
  g_assert_cmpuint (strlen (env->sha256), ==, 64);
}

/* Replaces the first occurrence of @from in the good envelope with @to. */
static char *
mutate (const char *from,
        const char *to)
{
  const char *at = strstr (GOOD_ENVELOPE, from);

  g_assert_nonnull (at);
  return g_strdup_printf ("%.*s%s%s", (int) (at - GOOD_ENVELOPE), GOOD_ENVELOPE, to, at + strlen (from));
}

static void
test_envelope_bad (void)
{
  static const struct {
    const char *from;
    const char *to;
    int         code;
    const char *message;
  } cases[] = {
    { "\"v\":1,", "", CLMRS_WIRE_ERROR_ENVELOPE, "line 3: v: missing" },
    { "\"v\":1", "\"v\":2", CLMRS_WIRE_ERROR_ENVELOPE, "line 3: v: expected the integer 1" },
    { "\"v\":1", "\"v\":\"1\"", CLMRS_WIRE_ERROR_ENVELOPE, "line 3: v: expected the integer 1" },
    { "\"id\":\"0b0e7c1e-3a52-4c39", "\"id\":\"0b0e7c1e-3a52-1c39", CLMRS_WIRE_ERROR_ENVELOPE,
      "line 3: id: expected a UUID v4 string" },
    { "\"type\":\"child\"", "\"type\":\"pet\"", CLMRS_WIRE_ERROR_ENVELOPE,
      "line 3: type: expected one of household, child, visit, support, awareness_session, review, community, audit" },
    { "\"rev\":2", "\"rev\":0", CLMRS_WIRE_ERROR_ENVELOPE, "line 3: rev: expected an integer >= 1" },
    { "\"rev\":2", "\"rev\":2.5", CLMRS_WIRE_ERROR_ENVELOPE, "line 3: rev: expected an integer >= 1" },
    { "\"rev\":2", "\"rev\":\"2\"", CLMRS_WIRE_ERROR_ENVELOPE, "line 3: rev: expected an integer >= 1" },
    { "\"rev\":2,", "", CLMRS_WIRE_ERROR_ENVELOPE, "line 3: rev: missing" },
    { "\"device_id\":\"22222222", "\"device_id\":\"x2222222", CLMRS_WIRE_ERROR_ENVELOPE,
      "line 3: device_id: expected a UUID string" },
    { "\"author\":\"33333333-3333-4333-8333-333333333333\"", "\"author\":null", CLMRS_WIRE_ERROR_ENVELOPE,
      "line 3: author: expected a UUID string, not null" },
    { "\"community_id\":\"11111111-1111-4111-8111-111111111111\",", "", CLMRS_WIRE_ERROR_ENVELOPE,
      "line 3: community_id: missing" },
    { "\"created\":\"2026-11-23T09:00:00Z\"", "\"created\":\"2026-11-23T09:00:00+01:00\"",
      CLMRS_WIRE_ERROR_ENVELOPE, "line 3: created: expected an RFC 3339 UTC time string (YYYY-MM-DDTHH:MM:SSZ)" },
    { "\"created\":\"2026-11-23T09:00:00Z\"", "\"created\":\"2026-02-30T09:00:00Z\"",
      CLMRS_WIRE_ERROR_ENVELOPE, "line 3: created: expected an RFC 3339 UTC time string (YYYY-MM-DDTHH:MM:SSZ)" },
    { "\"modified\":\"2026-11-23T09:05:00.250Z\"", "\"modified\":\"2026-11-23\"",
      CLMRS_WIRE_ERROR_ENVELOPE, "line 3: modified: expected an RFC 3339 UTC time string (YYYY-MM-DDTHH:MM:SSZ)" },
    { "\"schema\":\"clmrs.child@1\"", "\"schema\":\"clmrs.child\"", CLMRS_WIRE_ERROR_ENVELOPE,
      "line 3: schema: expected a string \"<id>@<version>\"" },
    { "\"rules\":\"gh@2024.1\"", "\"rules\":\"@1\"", CLMRS_WIRE_ERROR_ENVELOPE,
      "line 3: rules: expected a string \"<id>@<version>\" or null" },
    { "\"rules\":\"gh@2024.1\",", "", CLMRS_WIRE_ERROR_ENVELOPE,
      "line 3: rules: missing (null when no rule set applies)" },
    { "\"body\":{", "\"extra\":1,\"body\":{", CLMRS_WIRE_ERROR_ENVELOPE, "line 3: extra: unknown envelope field" },
    { "\"household_id\":\"44444444-4444-4444-8444-444444444444\",", "", CLMRS_WIRE_ERROR_ENVELOPE,
      "line 3: body.household_id: missing" },
    { "\"household_id\":\"44444444-4444-4444-8444-444444444444\"", "\"household_id\":7",
      CLMRS_WIRE_ERROR_ENVELOPE, "line 3: body.household_id: expected a UUID string" },
    { "{\"v\":1", "[{\"v\":1", CLMRS_WIRE_ERROR_JSON, NULL },
    { "\"name\":\"Ama\"", "\"name\":\"Ama\",", CLMRS_WIRE_ERROR_JSON, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = mutate (cases[i].from, cases[i].to);
      g_autoptr(GError) error = NULL;
      g_autoptr(ClmrsEnvelope) env = clmrs_envelope_parse (text, strlen (text), 3, &error);

      g_test_message ("case %u: %s -> %s", i, cases[i].from, cases[i].to);
      g_assert_null (env);
      g_assert_error (error, CLMRS_WIRE_ERROR, cases[i].code);
      if (cases[i].message != NULL)
        g_assert_cmpstr (error->message, ==, cases[i].message);
      else
        g_assert_true (g_str_has_prefix (error->message, "line 3: malformed JSON: "));
    }
}

static void
test_envelope_body_by_type (void)
{
  static const struct {
    const char *type;
    const char *body;
    const char *message;     /* NULL: valid */
  } cases[] = {
    { "household", "{\"head_name\":\"K\",\"head_sex\":\"male\"}", NULL },
    { "community", "{}", NULL },
    { "visit", "{\"kind\":\"household\",\"household_id\":\"44444444-4444-4444-8444-444444444444\","
      "\"child_id\":null,\"answers\":{},\"assessments\":[]}", NULL },
    { "visit", "{\"child_id\":\"nope\"}", "line 1: body.child_id: expected a UUID string or null" },
    { "review", "{\"visit_id\":\"44444444-4444-4444-8444-444444444444\",\"visit_rev\":1,"
      "\"decision\":\"returned\",\"message\":\"age?\"}", NULL },
    { "review", "{\"decision\":\"approved\"}", "line 1: body.visit_id: missing" },
    { "support", "{\"level\":\"child\",\"child_id\":null,\"household_id\":null,\"visit_id\":null}", NULL },
    { "awareness_session", "{\"household_id\":5}", "line 1: body.household_id: expected a UUID string or null" },
    { "household", "[]", "line 1: body: expected a JSON object" },
    { "household", "null", "line 1: body: expected a JSON object" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf (
        "{\"v\":1,\"id\":\"0b0e7c1e-3a52-4c39-9d0b-6f1e2a3b4c5d\",\"type\":\"%s\",\"rev\":1,"
        "\"device_id\":\"22222222-2222-4222-8222-222222222222\","
        "\"author\":\"33333333-3333-4333-8333-333333333333\","
        "\"community_id\":\"11111111-1111-4111-8111-111111111111\","
        "\"created\":\"2026-11-23T09:00:00Z\",\"modified\":\"2026-11-23T09:00:00Z\","
        "\"schema\":\"form@1\",\"rules\":null,\"body\":%s}", cases[i].type, cases[i].body);
      g_autoptr(GError) error = NULL;
      g_autoptr(ClmrsEnvelope) env = clmrs_envelope_parse (text, strlen (text), 1, &error);

      g_test_message ("case %u: %s %s", i, cases[i].type, cases[i].body);
      if (cases[i].message == NULL)
        {
          g_assert_no_error (error);
          g_assert_nonnull (env);
          g_assert_cmpstr (clmrs_record_type_to_string (env->type), ==, cases[i].type);
        }
      else
        {
          g_assert_null (env);
          g_assert_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_ENVELOPE);
          g_assert_cmpstr (error->message, ==, cases[i].message);
        }
    }
}

/* json-glib ends a string at a NUL: a "\u0000" anywhere is refused with
 * the path of its string, so no truncated value is hashed or validated. */
static void
test_envelope_nul (void)
{
  static const struct {
    const char *from;
    const char *to;
    const char *message;
  } cases[] = {
    /* the id would read as the bare UUID, and pass */
    { "\"id\":\"0b0e7c1e-3a52-4c39-9d0b-6f1e2a3b4c5d\"", "\"id\":\"0b0e7c1e-3a52-4c39-9d0b-6f1e2a3b4c5d\\u0000/../..\"",
      "line 1: id: a string holds a NUL character (\\u0000)" },
    /* the name would hash as "Ama": a changed record read as a duplicate */
    { "\"Ama\"", "\"Ama\\u0000 Mensah\"", "line 1: body.name: a string holds a NUL character (\\u0000)" },
    { "\"Ama\"", "\"\\u0000\"", "line 1: body.name: a string holds a NUL character (\\u0000)" },
    { "\"Ama\"", "\"Ama\\u00001\"", "line 1: body.name: a string holds a NUL character (\\u0000)" },
    { "\"dob\":null", "\"dob\":null,\"answers\":{\"school\":{\"grades\":[\"3\",[\"x\",\"y\\u0000\"]]}}",
      "line 1: body.answers.school.grades[1][1]: a string holds a NUL character (\\u0000)" },
    { "\"dob\":null", "\"dob\":null,\"a\\u0000b\":1",
      "line 1: body: a member name holds a NUL character (\\u0000)" },
    { "\"v\":1,", "\"v\":1,\"x\\u0000\":1,", "line 1: a member name holds a NUL character (\\u0000)" },
    { "\"schema\":\"clmrs.child@1\"", "\"schema\":\"clmrs.child@1\\u0000\"",
      "line 1: schema: a string holds a NUL character (\\u0000)" },
  };
  /* not a NUL: an escaped backslash, then "u0000"; and other escapes */
  static const char *const fine[] = { "\"Ama\\\\u0000\"", "\"Ama\\u0001\\u00e9\"", "\"\\\\\\\\u0000\"" };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = mutate (cases[i].from, cases[i].to);
      g_autoptr(ClmrsEnvelope) env = clmrs_envelope_parse (line, strlen (line), 1, &error);

      g_test_message ("case %u: %s", i, line);
      g_assert_null (env);
      g_assert_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_ENVELOPE);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
  for (guint i = 0; i < G_N_ELEMENTS (fine); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = mutate ("\"Ama\"", fine[i]);
      g_autoptr(ClmrsEnvelope) env = clmrs_envelope_parse (line, strlen (line), 1, &error);

      g_assert_no_error (error);
      g_assert_nonnull (env);
    }
}

/* The text check on its own: paths for top-level values, long member
 * names cut short, and a raw NUL byte inside a string. */
static void
test_json_find_nul (void)
{
  static const struct {
    const char *text;
    gsize       length;   /* 0: strlen */
    const char *path;     /* NULL: none */
    gboolean    in_name;
  } cases[] = {
    { "\"a\\u0000\"", 0, "", FALSE },
    { "[1, \"x\", {\"k\": [\"\\u0000\"]}]", 0, "[2].k[0]", FALSE },
    { "{\"a\": {}, \"b\": [], \"c\": \"\\u0000\"}", 0, "c", FALSE },
    { "{\"a\": [1, 2], \"b\": {\"c\": 1}, \"d\": [{\"e\\u0000\": 1}]}", 0, "d[0]", TRUE },
    { "{\"a\": \"x\\\\u0000\", \"b\": \"\\\\\"}", 0, NULL, FALSE },
    { "{\"a\": \"x\0y\"}", 11, "a", FALSE },
    { "{\"abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijXYZé\": \"\\u0000\"}", 0,
      "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijXYZ...", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = NULL;
      gboolean in_name = FALSE;
      gsize length = cases[i].length ? cases[i].length : strlen (cases[i].text);
      gboolean found = clmrs_json_text_find_nul (cases[i].text, length, &path, &in_name);

      g_test_message ("case %u", i);
      g_assert_cmpint (found, ==, cases[i].path != NULL);
      g_assert_cmpstr (path, ==, cases[i].path);
      g_assert_cmpint (in_name, ==, cases[i].in_name);
    }
}

static char *
canonical_of (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = clmrs_wire_parse_json (text, strlen (text), 1, &error);

  g_assert_no_error (error);
  return clmrs_json_canonical (node, NULL);
}

static void
test_canonical (void)
{
  static const struct {
    const char *input;
    const char *canonical;
  } cases[] = {
    { "{ \"b\" : 1 , \"a\" : [ true , false , null ] }", "{\"a\":[true,false,null],\"b\":1}" },
    { "{\"z\":{\"y\":1,\"x\":2},\"A\":0,\"a\":0}", "{\"A\":0,\"a\":0,\"z\":{\"x\":2,\"y\":1}}" },
    { "[1.5, 0.1, 1e3, -0.0, 100, -7, 1.0, 1e20, 2.5e-7]", "[1.5,0.1,1000,0,100,-7,1,1e+20,2.5e-07]" },
    { "\"tab\\there \\u00e9 \\\"q\\\" \\/ \\u0001\"", "\"tab\\there é \\\"q\\\" / \\u0001\"" },
    { "{}", "{}" },
    { "[]", "[]" },
    { "\"\"", "\"\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = canonical_of (cases[i].input);

      g_assert_cmpstr (out, ==, cases[i].canonical);
    }
}

/* The same envelope with other key order and spacing has the same hash;
 * any change of a value changes it. */
static void
test_hash_identity (void)
{
  const char *reordered =
    "{ \"body\" : {\"sex\":\"female\",\"dob\":null,\"name\":\"Ama\","
    "\"household_id\":\"44444444-4444-4444-8444-444444444444\"},\n"
    "  \"rules\":\"gh@2024.1\",\"schema\":\"clmrs.child@1\",\"modified\":\"2026-11-23T09:05:00.250Z\","
    "\"created\":\"2026-11-23T09:00:00Z\",\"community_id\":\"11111111-1111-4111-8111-111111111111\","
    "\"author\":\"33333333-3333-4333-8333-333333333333\",\"device_id\":\"22222222-2222-4222-8222-222222222222\","
    "\"rev\":2,\"type\":\"child\",\"id\":\"0b0e7c1e-3a52-4c39-9d0b-6f1e2a3b4c5d\",\"v\":1 }";
  g_autofree char *changed = mutate ("\"Ama\"", "\"Ana\"");
  g_autoptr(ClmrsEnvelope) a = clmrs_envelope_parse (GOOD_ENVELOPE, strlen (GOOD_ENVELOPE), 1, NULL);
  g_autoptr(ClmrsEnvelope) b = clmrs_envelope_parse (reordered, strlen (reordered), 1, NULL);
  g_autoptr(ClmrsEnvelope) c = clmrs_envelope_parse (changed, strlen (changed), 1, NULL);
  g_autofree char *canonical = canonical_of (GOOD_ENVELOPE);
  g_autofree char *expected = g_compute_checksum_for_string (G_CHECKSUM_SHA256, canonical, -1);

  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_nonnull (c);
  g_assert_cmpstr (a->sha256, ==, b->sha256);
  g_assert_cmpstr (a->sha256, !=, c->sha256);
  g_assert_cmpstr (a->sha256, ==, expected);
}

static void
test_json_limits (void)
{
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  const char bad_utf8[] = "\"\xff\"";
  const char with_nul[] = "\"a\0b\"";

  for (int i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  node = clmrs_wire_parse_json (deep->str, deep->len, 7, &error);
  g_assert_null (node);
  g_assert_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_JSON);
  g_assert_cmpstr (error->message, ==, "line 7: malformed JSON: nested deeper than 64 levels");
  g_clear_error (&error);

  /* Brackets inside strings do not count. */
  g_string_assign (deep, "\"");
  for (int i = 0; i < 1000; i++)
    g_string_append (deep, "[{");
  g_string_append (deep, "\"");
  node = clmrs_wire_parse_json (deep->str, deep->len, 1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_clear_pointer (&node, json_node_unref);

  node = clmrs_wire_parse_json (bad_utf8, sizeof bad_utf8 - 1, 2, &error);
  g_assert_null (node);
  g_assert_cmpstr (error->message, ==, "line 2: malformed JSON: not valid UTF-8");
  g_clear_error (&error);

  node = clmrs_wire_parse_json (with_nul, sizeof with_nul - 1, 2, &error);
  g_assert_null (node);
  g_assert_cmpstr (error->message, ==, "line 2: malformed JSON: contains a NUL byte");
  g_clear_error (&error);

  /* an escape JSON does not have, which json-glib turns into a byte that is
     not UTF-8 (found by the fuzzer: tests/fuzz-crashes) */
  {
    static const char octal[] = "{\"n\":[\"\\200e9\"]}";

    node = clmrs_wire_parse_json (octal, sizeof octal - 1, 3, &error);
    g_assert_null (node);
    g_assert_cmpstr (error->message, ==,
                     "line 3: malformed JSON: a string is not valid UTF-8 (an escape JSON does not have?)");
    g_clear_error (&error);
  }

  node = clmrs_wire_parse_json ("", 0, 4, &error);
  g_assert_null (node);
  g_assert_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_JSON);
  g_assert_true (g_str_has_prefix (error->message, "line 4: malformed JSON"));
}

static void
test_ndjson_reader (void)
{
  static const struct {
    const char *input;
    const char *lines;      /* "N:text|N:text" */
  } cases[] = {
    { "", "" },
    { "a\nb\n", "1:a|2:b" },
    { "a\nb", "1:a|2:b" },
    { "a\r\n\r\n  \n\tb\r\n", "1:a|4:\tb" },
    { "\n\n{}\n", "3:{}" },
    { "x", "1:x" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      ClmrsNdjsonReader reader;
      g_autoptr(GString) got = g_string_new (NULL);
      const char *line;
      gsize length;
      guint line_no;

      clmrs_ndjson_reader_init (&reader, cases[i].input, strlen (cases[i].input));
      while (clmrs_ndjson_reader_next (&reader, &line, &length, &line_no))
        g_string_append_printf (got, "%s%u:%.*s", got->len > 0 ? "|" : "", line_no, (int) length, line);
      g_assert_cmpstr (got->str, ==, cases[i].lines);
    }
}

static void
test_gzip_roundtrip (void)
{
  static const gsize sizes[] = { 0, 1, 100, 16384, 16385, 300000 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree guint8 *data = g_malloc (sizes[i] + 1);
      g_autoptr(GBytes) gz = NULL;
      g_autoptr(GBytes) back = NULL;
      g_autoptr(GError) error = NULL;

      for (gsize j = 0; j < sizes[i]; j++)
        data[j] = (guint8) (g_test_rand_int () % 7 + 'a');
      gz = clmrs_gzip_compress (data, sizes[i], &error);
      g_assert_no_error (error);
      back = clmrs_gzip_decompress (g_bytes_get_data (gz, NULL), g_bytes_get_size (gz), sizes[i], &error);
      g_assert_no_error (error);
      g_assert_cmpmem (g_bytes_get_data (back, NULL), g_bytes_get_size (back), data, sizes[i]);

      /* One byte under the size is over the limit. */
      if (sizes[i] > 0)
        {
          g_autoptr(GBytes) none = clmrs_gzip_decompress (g_bytes_get_data (gz, NULL), g_bytes_get_size (gz),
                                                          sizes[i] - 1, &error);
          g_assert_null (none);
          g_assert_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_TOO_LARGE);
        }
    }
}

static void
test_gzip_bomb (void)
{
  /* 64 MiB of zeros compress to about 64 KiB; the limit is 1 MiB. */
  gsize big = 64 * 1024 * 1024;
  g_autofree guint8 *zeros = g_malloc0 (big);
  g_autoptr(GBytes) gz = clmrs_gzip_compress (zeros, big, NULL);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (g_bytes_get_size (gz), <, 200 * 1024);
  out = clmrs_gzip_decompress (g_bytes_get_data (gz, NULL), g_bytes_get_size (gz), 1024 * 1024, &error);
  g_assert_null (out);
  g_assert_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_TOO_LARGE);
  g_assert_cmpstr (error->message, ==, "decompressed body exceeds the limit of 1048576 bytes");
}

static void
test_gzip_malformed (void)
{
  const char text[] = "{\"a\":1}\n";
  g_autoptr(GBytes) gz = clmrs_gzip_compress (text, sizeof text - 1, NULL);
  gsize n = g_bytes_get_size (gz);
  const guint8 *good = g_bytes_get_data (gz, NULL);
  g_autofree guint8 *buffer = g_malloc (2 * n + 8);
  struct {
    const char *what;
    gsize       length;
    const char *prefix;
  } cases[] = {
    { "not gzip", 0, "malformed gzip: the body does not start with the gzip magic bytes" },
    { "truncated", 0, "malformed gzip: the stream is truncated" },
    { "bad crc", 0, "malformed gzip: incorrect data check" },
    { "trailing", 0, "malformed gzip: 3 bytes of trailing data after the stream" },
    { "two members", 0, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) out = NULL;
      g_autoptr(GError) error = NULL;
      gsize length = n;

      memcpy (buffer, good, n);
      switch (i)
        {
        case 0: memcpy (buffer, "{\"", 2); break;
        case 1: length = n - 5; break;
        case 2: buffer[n - 8] ^= 0xff; break;
        case 3: memcpy (buffer + n, "xyz", 3); length = n + 3; break;
        case 4: memcpy (buffer + n, good, n); length = 2 * n; break;
        default: break;
        }
      out = clmrs_gzip_decompress (buffer, length, 1024, &error);
      g_test_message ("case %s", cases[i].what);
      if (cases[i].prefix == NULL)
        {
          g_assert_no_error (error);
          g_assert_cmpuint (g_bytes_get_size (out), ==, 2 * (sizeof text - 1));
        }
      else
        {
          g_assert_null (out);
          g_assert_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_GZIP);
          g_assert_cmpstr (error->message, ==, cases[i].prefix);
        }
    }
}

static void
test_error_body (void)
{
  g_autofree char *body = clmrs_wire_error_body ("too_large", "line 2: \"x\" is\nbad");

  g_assert_cmpstr (body, ==, "{\"error\":{\"code\":\"too_large\",\"message\":\"line 2: \\\"x\\\" is\\nbad\"}}");
}

/* The device's one envelope writer (clmrs_record_envelope_line) on a
 * parsed envelope gives back an envelope with the same content hash. */
static char *
device_line (const ClmrsEnvelope *env)
{
  ClmrsRecordHeader header;
  JsonNode *body = json_node_new (JSON_NODE_OBJECT);

  clmrs_envelope_get_header (env, &header);
  json_node_set_object (body, env->body);
  return clmrs_record_envelope_line (&header, body);
}

static void
test_device_line (void)
{
  g_autoptr(ClmrsEnvelope) env = clmrs_envelope_parse (GOOD_ENVELOPE, strlen (GOOD_ENVELOPE), 1, NULL);
  g_autoptr(ClmrsEnvelope) back = NULL;
  g_autofree char *line = NULL;
  g_autofree char *no_rules = NULL;

  g_assert_nonnull (env);
  line = device_line (env);
  back = clmrs_envelope_parse (line, strlen (line), 1, NULL);
  g_assert_nonnull (back);
  g_assert_cmpstr (back->sha256, ==, env->sha256);
  g_assert_cmpstr (back->id, ==, env->id);
  g_assert_cmpint (back->rev, ==, env->rev);

  g_clear_pointer (&env->rules, g_free);
  no_rules = device_line (env);
  g_assert_nonnull (strstr (no_rules, "\"rules\":null"));
}

static void
test_push_response (void)
{
  const char good[] =
    "{\"results\":[{\"line\":1,\"id\":\"a\",\"rev\":1,\"result\":\"stored\"},"
    "{\"line\":3,\"id\":\"b\",\"rev\":2,\"result\":\"rejected\",\"reason\":\"community_id: x\"}],"
    "\"stored\":1,\"duplicate\":0,\"conflict\":0,\"rejected\":1}";
  static const struct {
    const char *json;
    const char *message;
  } bad[] = {
    { "{}", "push response: results: expected an array" },
    { "{\"results\":[{\"line\":1}]}", "push response: results[0]: expected {line, id, rev, result}" },
    { "{\"results\":[{\"line\":1,\"id\":\"a\",\"rev\":1,\"result\":\"lost\"}]}",
      "push response: results[0].result: unknown value \"lost\"" },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = clmrs_push_response_parse (good, sizeof good - 1, NULL, &error);
  ClmrsPushResult *r;

  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);
  r = results->pdata[0];
  g_assert_cmpuint (r->line, ==, 1);
  g_assert_cmpstr (r->id, ==, "a");
  g_assert_cmpint (r->outcome, ==, CLMRS_PUSH_STORED);
  g_assert_null (r->reason);
  r = results->pdata[1];
  g_assert_cmpuint (r->line, ==, 3);
  g_assert_cmpint (r->rev, ==, 2);
  g_assert_cmpstr (clmrs_push_outcome_to_string (r->outcome), ==, "rejected");
  g_assert_cmpstr (r->reason, ==, "community_id: x");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) e = NULL;
      g_autoptr(GPtrArray) none = clmrs_push_response_parse (bad[i].json, strlen (bad[i].json), NULL, &e);

      g_assert_null (none);
      g_assert_error (e, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_JSON);
      g_assert_cmpstr (e->message, ==, bad[i].message);
    }
}

static void
test_error_parse (void)
{
  g_autofree char *body = clmrs_wire_error_body ("rate_limited", "slow down");
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;
  const char *bad[] = { "", "{}", "{\"error\":1}", "{\"error\":{\"code\":1,\"message\":\"m\"}}", "<html>" };

  g_assert_true (clmrs_wire_error_parse (body, strlen (body), &code, &message));
  g_assert_cmpstr (code, ==, "rate_limited");
  g_assert_cmpstr (message, ==, "slow down");
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *c = NULL;
      g_autofree char *m = NULL;

      g_assert_false (clmrs_wire_error_parse (bad[i], strlen (bad[i]), &c, &m));
      g_assert_null (c);
      g_assert_null (m);
    }
}

static void
test_record_types (void)
{
  ClmrsRecordType type;

  for (int t = CLMRS_RECORD_HOUSEHOLD; t <= CLMRS_RECORD_COMMUNITY; t++)
    {
      g_assert_true (clmrs_record_type_from_string (clmrs_record_type_to_string (t), &type));
      g_assert_cmpint (type, ==, t);
    }
  g_assert_false (clmrs_record_type_from_string ("Household", &type));
  g_assert_false (clmrs_record_type_from_string ("", &type));
  g_assert_false (clmrs_record_type_from_string (NULL, &type));
}

/* A malformed line's error says where and what, never the line's text
 * (it may hold a child's name, and errors reach logs and answers). */
static void
test_json_error_quotes_nothing (void)
{
  const char *lines[] = {
    "{\"name\":\"Kofi Mensah",
    "{\"name\":\"Kofi Mensah\" \"age\":9}",
    "{\"name\":Kofi}",
    "{\"name\":\"Kofi Mensah\",}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = clmrs_wire_parse_json (lines[i], strlen (lines[i]), 3, &error);

      g_assert_null (node);
      g_assert_error (error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_JSON);
      g_test_message ("%s", error->message);
      g_assert_true (g_str_has_prefix (error->message, "line 3: malformed JSON: "));
      g_assert_null (strstr (error->message, "Kofi"));
      g_assert_null (strstr (error->message, "Mensah"));
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wire/json/error-quotes-nothing", test_json_error_quotes_nothing);
  g_test_add_func ("/wire/envelope/good", test_envelope_good);
  g_test_add_func ("/wire/envelope/bad-fields", test_envelope_bad);
  g_test_add_func ("/wire/envelope/body-by-type", test_envelope_body_by_type);
  g_test_add_func ("/wire/envelope/nul-in-string", test_envelope_nul);
  g_test_add_func ("/wire/json/find-nul", test_json_find_nul);
  g_test_add_func ("/wire/record-types", test_record_types);
  g_test_add_func ("/wire/canonical", test_canonical);
  g_test_add_func ("/wire/hash-identity", test_hash_identity);
  g_test_add_func ("/wire/json-limits", test_json_limits);
  g_test_add_func ("/wire/ndjson", test_ndjson_reader);
  g_test_add_func ("/wire/gzip/roundtrip", test_gzip_roundtrip);
  g_test_add_func ("/wire/gzip/bomb", test_gzip_bomb);
  g_test_add_func ("/wire/gzip/malformed", test_gzip_malformed);
  g_test_add_func ("/wire/error-body", test_error_body);
  g_test_add_func ("/wire/error-parse", test_error_parse);
  g_test_add_func ("/wire/envelope/device-line", test_device_line);
  g_test_add_func ("/wire/push-response", test_push_response);
  return g_test_run ();
}
