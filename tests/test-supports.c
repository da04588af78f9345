/* test-supports.c: a support planned and never given is listed after the programme's days, and settled as given or declined. */
#include <glib/gstdio.h>

#include "casebook.h"
#include "demo.h"
#include "supports.h"
#include "util.h"

static char *
query_text (ClmrsStore *store,
            const char *sql,
            const char *arg)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = clmrs_store_prepare (store, sql, &error);
  char *text = NULL;

  g_assert_no_error (error);
  if (arg != NULL)
    sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  return text;
}

/* A child's support turned into one planned 90 days before the demo's
 * last day: overdue after 60 days, not after 120; settled as given, its
 * record's second revision is queued with the state, the case counts it,
 * and it is no longer listed; settling it again, or as something else,
 * is refused and changes nothing. */
static void
test_overdue_and_settle (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("clmrs-supports-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "device.db", NULL);
  g_autoptr(ClmrsStore) store = clmrs_store_open (path, &error);
  ClmrsDemoOptions options = { .households = 12, .seed = 5, .until = "2026-06-30", .months = 12 };
  ClmrsDemoReport report = { 0 };
  g_autofree char *support = NULL, *child = NULL, *household = NULL, *facilitator = NULL;
  g_autofree char *state = NULL, *queued = NULL, *types_before = NULL, *planned_sql = NULL;
  g_autoptr(GPtrArray) overdue = NULL;
  g_autoptr(GPtrArray) later = NULL;
  GDate today;

  g_assert_no_error (error);
  g_assert_true (clmrs_demo_generate (store, &options, &report, &error));
  g_assert_no_error (error);
  g_assert_true (clmrs_date_parse ("2026-06-30", &today));
  support = query_text (store, "SELECT id FROM supports WHERE child_id IS NOT NULL ORDER BY support_date LIMIT 1", NULL);
  child = query_text (store, "SELECT child_id FROM supports WHERE id = ?1", support);
  household = query_text (store, "SELECT household_id FROM children WHERE id = ?1", child);
  facilitator = query_text (store, "SELECT id FROM facilitators WHERE role = 'facilitator' LIMIT 1", NULL);
  planned_sql = g_strdup_printf ("UPDATE supports SET support_date = '2026-04-01',"
                                 " body = json_set (body, '$.state', 'planned') WHERE id = '%s'", support);
  g_assert_true (clmrs_store_exec (store, planned_sql, &error));
  g_assert_true (clmrs_casebook_refresh_child (store, child, &today, NULL, &error));
  g_assert_no_error (error);

  overdue = clmrs_supports_overdue (store, household, &today, 60, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (overdue->len, ==, 1);
  g_assert_cmpstr (((ClmrsOverdueSupport *) g_ptr_array_index (overdue, 0))->id, ==, support);
  g_assert_cmpstr (((ClmrsOverdueSupport *) g_ptr_array_index (overdue, 0))->date, ==, "2026-04-01");
  g_assert_nonnull (((ClmrsOverdueSupport *) g_ptr_array_index (overdue, 0))->child_name);
  later = clmrs_supports_overdue (store, household, &today, 120, &error);
  g_assert_cmpuint (later->len, ==, 0);
  g_clear_pointer (&later, g_ptr_array_unref);

  /* refused: another state; nothing changes */
  g_assert_false (clmrs_support_settle (store, support, "planned", facilitator, &today, NULL, &error));
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID);
  g_clear_error (&error);

  types_before = query_text (store, "SELECT count (*) FROM outbox WHERE record_id = ?1", support);
  g_assert_cmpstr (types_before, ==, "1");
  g_assert_true (clmrs_support_settle (store, support, "delivered", facilitator, &today, NULL, &error));
  g_assert_no_error (error);
  state = query_text (store, "SELECT json_extract (body, '$.state') FROM supports WHERE id = ?1", support);
  g_assert_cmpstr (state, ==, "delivered");
  queued = query_text (store, "SELECT json_extract (envelope, '$.body.state') || ' ' || rev FROM outbox"
                              " WHERE record_id = ?1 ORDER BY rev DESC LIMIT 1", support);
  g_assert_cmpstr (queued, ==, "delivered 2");
  later = clmrs_supports_overdue (store, household, &today, 60, &error);
  g_assert_cmpuint (later->len, ==, 0);

  g_assert_false (clmrs_support_settle (store, support, "declined", facilitator, &today, NULL, &error));
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE);
  g_assert_false (clmrs_store_in_transaction (store));

  g_clear_pointer (&store, clmrs_store_close);
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *file = g_build_filename (dir, name, NULL);
        g_unlink (file);
      }
  }
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/supports/overdue-and-settle", test_overdue_and_settle);
  return g_test_run ();
}
