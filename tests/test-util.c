/* test-util.c: dates, ages and identifiers behave at their edges. */
#include "util.h"

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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/util/age-boundaries", test_age_boundaries);
  g_test_add_func ("/util/date-parse-rejects", test_date_parse_rejects);
  g_test_add_func ("/util/add-months-clamps", test_add_months_clamps);
  g_test_add_func ("/util/uuid", test_uuid);
  g_test_add_func ("/util/rfc3339", test_rfc3339);
  return g_test_run ();
}
