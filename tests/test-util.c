/* test-util.c: dates, ages and identifiers behave at their edges. */
#include "util.h"
#include "record.h"

static void
test_age_boundaries (void)
{
  GDate birth, on;

  g_assert_true (clmrs_date_parse ("2010-06-15", &birth));
  g_assert_true (clmrs_date_parse ("2022-06-14", &on));
  g_assert_cmpint (clmrs_age_on (&birth, &on), ==, 11);
  g_assert_true (clmrs_date_parse ("2022-06-15", &on));
  g_assert_cmpint (clmrs_age_on (&birth, &on), ==, 12);
  g_assert_true (clmrs_date_parse ("2009-01-01", &on));
  g_assert_cmpint (clmrs_age_on (&birth, &on), ==, -1);
}

static void
test_date_parse_rejects (void)
{
  GDate d;

  g_assert_false (clmrs_date_parse ("2022-02-30", &d));
  g_assert_false (clmrs_date_parse ("2022/02/01", &d));
  g_assert_false (clmrs_date_parse ("", &d));
  g_assert_false (clmrs_date_parse (NULL, &d));
  g_assert_true (clmrs_date_parse ("2022-02-01T10:00:00Z", &d));
}

static void
test_add_months_clamps (void)
{
  GDate d;
  g_autofree char *text = NULL;

  g_assert_true (clmrs_date_parse ("2023-08-31", &d));
  clmrs_date_add_months (&d, 6);
  text = clmrs_date_format (&d);
  g_assert_cmpstr (text, ==, "2024-02-29");
}

static void
test_uuid (void)
{
  g_autofree char *a = clmrs_uuid_new ();
  g_autofree char *b = clmrs_uuid_new ();

  g_assert_true (clmrs_uuid_is_valid (a));
  g_assert_cmpstr (a, !=, b);
  g_assert_cmpint (a[14], ==, '4');
  g_assert_false (clmrs_uuid_is_valid ("not-a-uuid"));
}

static void
test_rfc3339 (void)
{
  g_autofree char *now = clmrs_now_rfc3339 ();
  g_autoptr(GDateTime) parsed = clmrs_time_parse_rfc3339 (now);

  g_assert_nonnull (parsed);
  g_assert_true (g_str_has_suffix (now, "Z"));
  g_assert_null (clmrs_time_parse_rfc3339 ("yesterday"));
}

/* Compact JSON: shortest exact doubles, escapes, member order kept. */
static void
test_json_to_string (void)
{
  const char *input = "{\"b\":49.1,\"a\":[1,100.0,0.1,1e-300,-2.5],\"s\":\"x\\\"y\\\\\\n\\u0001é\",\"n\":null,\"t\":true}";
  const char *expected = "{\"b\":49.1,\"a\":[1,100.0,0.1,1e-300,-2.5],\"s\":\"x\\\"y\\\\\\n\\u0001é\",\"n\":null,\"t\":true}";
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (input, &error);
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) back = NULL;

  g_assert_no_error (error);
  text = clmrs_json_to_string (node);
  g_assert_cmpstr (text, ==, expected);
  back = json_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_true (json_node_equal (node, back));

  /* 1/3 needs all 17 digits to read back exactly */
  {
    g_autoptr(JsonNode) third = json_node_init_double (json_node_alloc (), 1.0 / 3.0);
    g_autofree char *t = clmrs_json_to_string (third);

    g_assert_cmpfloat (g_ascii_strtod (t, NULL), ==, 1.0 / 3.0);
  }
}

/* One cell through clmrs_csv_append_cell, as written. */
static char *
csv_cell (const char *text,
          gboolean    is_number)
{
  GString *out = g_string_new (NULL);

  clmrs_csv_append_cell (out, text, is_number);
  return g_string_free (out, FALSE);
}

static void
test_csv_cell (void)
{
  static const struct {
    const char *text;
    gboolean    is_number;
    const char *written;
  } cases[] = {
    { "Ama Mensah", FALSE, "Ama Mensah" },
    { "Mensah, Ama", FALSE, "\"Mensah, Ama\"" },
    { "say \"hi\"", FALSE, "\"say \"\"hi\"\"\"" },
    /* what a spreadsheet would run: quoted, after a single quote */
    { "=1+2", FALSE, "\"'=1+2\"" },
    { "+1", FALSE, "\"'+1\"" },
    { "-1", FALSE, "\"'-1\"" },
    { "@SUM(A1)", FALSE, "\"'@SUM(A1)\"" },
    { "\tx", FALSE, "\"'\tx\"" },
    { "\rx", FALSE, "\"'\rx\"" },
    { "=HYPERLINK(\"x\")", FALSE, "\"'=HYPERLINK(\"\"x\"\")\"" },
    /* numbers stay numbers */
    { "-3", TRUE, "-3" },
    { "-2.5", TRUE, "-2.5" },
    { "a=b", FALSE, "a=b" },
    { "", FALSE, "" },
    { NULL, FALSE, "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *written = csv_cell (cases[i].text, cases[i].is_number);

      g_assert_cmpstr (written, ==, cases[i].written);
    }
}

static gpointer
other_thread (gpointer user_data)
{
  char **seen = user_data;

  seen[0] = clmrs_now_rfc3339 ();
  seen[1] = clmrs_uuid_new ();
  return NULL;
}

/* The demo's clock and seeded UUIDs belong to the thread that set them:
 * the main thread and a sync meanwhile keep the real ones. */
static void
test_demo_clock_per_thread (void)
{
  char *seen[2] = { NULL, NULL };
  g_autofree char *here = NULL;
  g_autofree char *first = NULL, *again = NULL;
  GThread *thread;

  clmrs_clock_set ("2020-01-02T03:04:05Z");
  clmrs_uuid_set_seed (42);
  first = clmrs_uuid_new ();
  thread = g_thread_new ("other", other_thread, seen);
  g_thread_join (thread);
  here = clmrs_now_rfc3339 ();
  clmrs_uuid_set_seed (42);
  again = clmrs_uuid_new ();
  clmrs_clock_set (NULL);
  clmrs_uuid_set_seed (0);

  g_assert_cmpstr (here, ==, "2020-01-02T03:04:05Z");
  g_assert_cmpstr (first, ==, again);                 /* seeded here */
  g_assert_cmpstr (seen[0], !=, "2020-01-02T03:04:05Z");
  g_assert_true (g_str_has_prefix (seen[0], "20"));
  g_assert_true (clmrs_uuid_is_valid (seen[1]));
  g_assert_cmpstr (seen[1], !=, first);               /* random there */
  g_free (seen[0]);
  g_free (seen[1]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/util/age-boundaries", test_age_boundaries);
  g_test_add_func ("/util/date-parse-rejects", test_date_parse_rejects);
  g_test_add_func ("/util/add-months-clamps", test_add_months_clamps);
  g_test_add_func ("/util/uuid", test_uuid);
  g_test_add_func ("/util/demo-clock-per-thread", test_demo_clock_per_thread);
  g_test_add_func ("/util/rfc3339", test_rfc3339);
  g_test_add_func ("/util/json-to-string", test_json_to_string);
  g_test_add_func ("/util/csv-cell", test_csv_cell);
  return g_test_run ();
}
