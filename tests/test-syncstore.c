/* test-syncstore.c: another device's records pulled: applied page by page, set aside until what they name arrives, the cursor moved with them. */
#include "casebook.h"
#include "demo.h"
#include "store-test-helpers.h"
#include "syncstore.h"
#include "util.h"

typedef struct {
  TestStore  maker;      /* the device whose records are pulled */
  TestStore  t;          /* the device pulling them, empty */
  GPtrArray *pages[2];   /* (element-type JsonObject): what names others first, the rest after */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  ClmrsStep step;

  test_store_open_demo (&f->maker, "syncstore-maker", 3, 9);
  test_store_open (&f->t, "syncstore");

  /* the records of households and what they hold come second: the first
   * page names households this device does not have yet */
  for (guint i = 0; i < 2; i++)
    f->pages[i] = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  stmt = clmrs_store_prepare (f->maker.store, "SELECT type, envelope FROM outbox ORDER BY rowid", &error);
  g_assert_no_error (error);
  while ((step = clmrs_store_step (f->maker.store, stmt, &error)) == CLMRS_STEP_ROW)
    {
      const char *type = (const char *) sqlite3_column_text (stmt, 0);
      g_autoptr(JsonNode) node = json_from_string ((const char *) sqlite3_column_text (stmt, 1), &error);
      gboolean first = g_str_equal (type, "child") || g_str_equal (type, "visit");

      g_assert_no_error (error);
      g_ptr_array_add (f->pages[first ? 0 : 1], json_object_ref (json_node_get_object (node)));
    }
  g_assert_cmpint (step, ==, CLMRS_STEP_DONE);
  g_assert_cmpuint (f->pages[0]->len, >, 0);
  g_assert_cmpuint (f->pages[1]->len, >, 0);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  for (guint i = 0; i < 2; i++)
    g_ptr_array_unref (f->pages[i]);
  test_store_close (&f->t);
  test_store_close (&f->maker);
}

static gint64
count (TestStore  *t,
       const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM %s", table);

  return test_query_int (t->store, sql, NULL);
}

static char *
cursor (TestStore *t)
{
  g_autoptr(GError) error = NULL;
  char *value = NULL;

  g_assert_true (clmrs_store_get_meta (t->store, "pull_cursor", &value, &error));
  g_assert_no_error (error);
  return value;
}

/* Children and visits before their households are set aside, with the
 * reason; once the households arrive they go in, and the pulling
 * device holds what the other made, none of it queued to send back. */
static void
test_set_aside_then_applied (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) aside = NULL;
  g_autofree char *at = NULL;
  ClmrsPullCounts counts = { 0 };
  const ClmrsSetAside *item;

  g_assert_true (clmrs_pull_apply_full (f->t.store, f->pages[0], NULL, "1", &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.set_aside, >, 0);
  g_assert_cmpuint (counts.newly_set_aside, ==, counts.set_aside);
  g_assert_cmpint (clmrs_pull_count_set_aside (f->t.store, &error), ==, counts.set_aside);
  aside = clmrs_pull_list_set_aside (f->t.store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (aside->len, ==, counts.set_aside);
  item = g_ptr_array_index (aside, 0);
  g_assert_nonnull (item->reason);
  g_assert_true (g_str_equal (item->type, "child") || g_str_equal (item->type, "visit"));
  at = cursor (&f->t);
  g_assert_cmpstr (at, ==, "1");

  g_assert_true (clmrs_pull_apply_full (f->t.store, f->pages[1], NULL, "2", &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.set_aside, ==, 0);
  g_assert_cmpint (clmrs_pull_count_set_aside (f->t.store, &error), ==, 0);
  g_assert_cmpint (count (&f->t, "households"), ==, count (&f->maker, "households"));
  g_assert_cmpint (count (&f->t, "children"), ==, count (&f->maker, "children"));
  g_assert_cmpint (count (&f->t, "visits WHERE state = 'final'"), ==, count (&f->maker, "visits WHERE state = 'final'"));
  g_assert_cmpint (count (&f->t, "outbox"), ==, 0);

  /* the same pages again: nothing changes */
  g_assert_true (clmrs_pull_apply_full (f->t.store, f->pages[1], NULL, "3", &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (&f->t, "households"), ==, count (&f->maker, "households"));
  g_assert_cmpuint (counts.set_aside, ==, 0);
}

/* The cases, one text for comparing. */
static char *
cases_text (TestStore *t)
{
  return test_query_text (t->store,
      "SELECT group_concat (line, '|') FROM (SELECT quote (child_id) || quote (status) || quote (open)"
      " || quote (identified_on) || quote (last_visit) || quote (next_due) || quote (follow_ups) AS line"
      " FROM cases ORDER BY child_id)", NULL);
}

/* One page holding every record: each child is touched by its own
 * record, its visits and its supports, its case refreshed once, and the
 * cases are what refreshing them all from the applied rows gives. */
static void
test_cases_of_one_page (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autofree char *applied = NULL, *refreshed = NULL;
  GDate today;

  for (guint i = 0; i < 2; i++)
    for (guint j = 0; j < f->pages[i]->len; j++)
      g_ptr_array_add (all, json_object_ref (g_ptr_array_index (f->pages[i], j)));
  g_assert_true (clmrs_pull_apply (f->t.store, all, "1", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (&f->t, "children"), >, 0);
  /* an assessed child was touched by its record and its assessment */
  g_assert_cmpint (count (&f->t, "assessments"), >, 0);
  g_assert_cmpint (count (&f->t, "cases"), ==, count (&f->t, "children"));
  applied = cases_text (&f->t);

  clmrs_date_today (&today);
  g_assert_true (clmrs_casebook_refresh_all (f->t.store, &today, NULL, NULL, &error));
  g_assert_no_error (error);
  refreshed = cases_text (&f->t);
  g_assert_cmpstr (applied, ==, refreshed);
}

/* A page that cannot be applied whole leaves nothing and the cursor
 * where it was: the same page comes again. */
static void
test_step_error (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *at = NULL;
  ClmrsPullCounts counts = { 0 };

  test_store_fail_statements (f->t.store, "FROM set_aside");
  g_assert_false (clmrs_pull_apply_full (f->t.store, f->pages[1], NULL, "7", &counts, &error));
  test_store_fail_statements (f->t.store, NULL);
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE);
  g_assert_false (clmrs_store_in_transaction (f->t.store));
  g_assert_cmpint (count (&f->t, "households"), ==, 0);
  at = cursor (&f->t);
  g_assert_null (at);
  g_clear_error (&error);

  g_assert_cmpint (clmrs_pull_count_set_aside (f->t.store, &error), ==, 0);
  test_store_fail_statements (f->t.store, "FROM set_aside");
  g_assert_cmpint (clmrs_pull_count_set_aside (f->t.store, &error), ==, -1);
  test_store_fail_statements (f->t.store, NULL);
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/syncstore/pull/set-aside-then-applied", Fixture, NULL, fixture_set_up, test_set_aside_then_applied,
              fixture_tear_down);
  g_test_add ("/syncstore/pull/cases-of-one-page", Fixture, NULL, fixture_set_up, test_cases_of_one_page,
              fixture_tear_down);
  g_test_add ("/syncstore/pull/step-error", Fixture, NULL, fixture_set_up, test_step_error, fixture_tear_down);
  return g_test_run ();
}
