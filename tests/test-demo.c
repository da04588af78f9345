/* test-demo.c: demo data is the same for the same seed, marked as demo, and never mixed with a device's own. */
#include "demo.h"
#include "store-test-helpers.h"
#include "util.h"

/* What two generations are compared on: who and what, not the ids. */
static const char *const fingerprint_sql[] = {
  "SELECT group_concat (name, '|') FROM (SELECT name FROM communities ORDER BY name)",
  "SELECT group_concat (name, '|') FROM (SELECT name FROM facilitators ORDER BY name)",
  "SELECT group_concat (head_name, '|') FROM (SELECT head_name FROM households ORDER BY head_name, created)",
  "SELECT group_concat (name || ' ' || coalesce (dob, age), '|') FROM (SELECT name, dob, age FROM children ORDER BY name, dob, age)",
  "SELECT group_concat (kind || ' ' || coalesce (visit_date, '-'), '|') FROM (SELECT kind, visit_date FROM visits ORDER BY visit_date, kind)",
  "SELECT group_concat (status, '|') FROM (SELECT status FROM assessments ORDER BY assessed_on, status)",
};

static GStrv
generate (guint32          seed,
          ClmrsDemoReport *report)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  ClmrsDemoOptions options = { .households = 6, .seed = seed, .until = "2026-06-30", .months = 12 };
  TestStore t = { 0 };

  test_store_open (&t, "demo");
  g_assert_false (clmrs_demo_store_is_demo (t.store));
  g_assert_true (clmrs_demo_generate (t.store, &options, report, &error));
  g_assert_no_error (error);
  g_assert_true (clmrs_demo_store_is_demo (t.store));
  for (gsize i = 0; i < G_N_ELEMENTS (fingerprint_sql); i++)
    {
      g_autofree char *text = test_query_text (t.store, fingerprint_sql[i], NULL);

      g_strv_builder_add (builder, text ? text : "");
    }
  g_assert_cmpint (test_query_int (t.store, "SELECT count (*) FROM households", NULL), ==, report->households);
  g_assert_cmpint (test_query_int (t.store, "SELECT count (*) FROM children", NULL), ==, report->children);
  /* every visit's records, besides reviews and audit entries */
  g_assert_cmpint (test_query_int (t.store, "SELECT count (*) FROM outbox", NULL), >=, report->records_queued);
  g_assert_cmpint (test_query_int (t.store, "SELECT count (*) FROM visits WHERE state = 'draft'", NULL), ==, report->drafts);
  test_store_close (&t);
  return g_strv_builder_end (builder);
}

/* The same seed and period give the same people, households, children,
 * visits and findings; another seed gives others. */
static void
test_deterministic (void)
{
  ClmrsDemoReport first = { 0 }, second = { 0 }, other = { 0 };
  g_auto(GStrv) a = generate (11, &first);
  g_auto(GStrv) b = generate (11, &second);
  g_auto(GStrv) c = generate (12, &other);

  g_assert_cmpuint (first.households, ==, 6);
  g_assert_cmpuint (first.children, >, 0);
  g_assert_cmpuint (first.household_visits, >=, first.households);
  g_assert_cmpmem (&first, sizeof first, &second, sizeof second);
  for (guint i = 0; a[i] != NULL; i++)
    g_assert_cmpstr (a[i], ==, b[i]);
  g_assert_false (g_strv_equal ((const char *const *) a, (const char *const *) c));
}

/* A device's own records, or an enrolment, refuse demo data: nothing is
 * written and the store is not marked. */
static void
test_refuses_real_data (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *community = clmrs_uuid_new ();
  ClmrsDemoOptions options = { .households = 2, .seed = 1, .until = "2026-06-30", .months = 6 };
  ClmrsDemoReport report = { 0 };
  TestStore t = { 0 };

  test_store_open (&t, "demo-real");
  g_assert_true (clmrs_store_add_community (t.store, community, "Kragui", "Soubré", "ci", &error));
  g_assert_no_error (error);
  g_assert_false (clmrs_demo_generate (t.store, &options, &report, &error));
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE);
  g_clear_error (&error);
  g_assert_false (clmrs_demo_store_is_demo (t.store));
  g_assert_cmpint (test_query_int (t.store, "SELECT count (*) FROM households", NULL), ==, 0);
  test_store_close (&t);

  test_store_open (&t, "demo-enrolled");
  g_assert_true (clmrs_store_set_meta (t.store, "sync_token", "secret", &error));
  g_assert_false (clmrs_demo_generate (t.store, &options, &report, &error));
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE);
  g_assert_nonnull (strstr (error->message, "enrolled"));
  g_assert_false (clmrs_demo_store_is_demo (t.store));
  test_store_close (&t);
}

/* The supervisor's messages on returned visits, and the free-text
 * answers, are in the language the demo is made for: English by default
 * (the app's), French when asked; never French under an English app,
 * whatever the community's country, nor English under a French one. */
static void
test_messages_language (void)
{
  static const char *const languages[] = { NULL, "fr" };
  static const struct { const char *en, *fr; gboolean always; } free_text[] = {
    { "Cooperative CLMRS team", "Équipe SSRTE de la coopérative", TRUE },   /* every support's provider */
    { "Brought from another village to work on the farm", "Amené d’un autre village pour travailler au champ", FALSE },
    { "To another region with the family", "Dans une autre région avec la famille", FALSE },
    { "A neighbour", "Un voisin", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    {
      g_autoptr(GError) error = NULL;
      ClmrsDemoOptions options = { .households = 60, .seed = 3, .until = "2026-06-30", .months = 12,
                                   .language = languages[i] };
      ClmrsDemoReport report = { 0 };
      TestStore t = { 0 };
      sqlite3_stmt *stmt;
      guint n = 0;

      test_store_open (&t, "demo-language");
      g_assert_true (clmrs_demo_generate (t.store, &options, &report, &error));
      g_assert_no_error (error);
      stmt = clmrs_store_prepare (t.store, "SELECT review_message FROM visits WHERE review_state = 'returned'", &error);
      g_assert_no_error (error);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          const char *message = (const char *) sqlite3_column_text (stmt, 0);

          g_test_message ("%s: %s", languages[i] ? languages[i] : "default", message);
          /* the French ones all say "vérifiez", "confirmez" or "redemandez" */
          if (languages[i] == NULL)
            g_assert_true (strstr (message, "please") != NULL);
          else
            g_assert_true (strstr (message, "ez ") != NULL);
          n++;
        }
      sqlite3_finalize (stmt);
      g_assert_cmpuint (n, >, 0);
      /* the free-text answers too: no English one under French */
      for (guint k = 0; k < G_N_ELEMENTS (free_text); k++)
        {
          const char *ours = languages[i] == NULL ? free_text[k].en : free_text[k].fr;
          const char *other = languages[i] == NULL ? free_text[k].fr : free_text[k].en;
          g_autofree char *ours_sql = g_strdup_printf ("SELECT count (*) FROM visits WHERE instr (answers, '%s') > 0", ours);
          g_autofree char *other_sql = g_strdup_printf ("SELECT count (*) FROM visits WHERE instr (answers, '%s') > 0", other);

          g_assert_cmpint (test_query_int (t.store, other_sql, NULL), ==, 0);
          if (free_text[k].always)
            g_assert_cmpint (test_query_int (t.store, ours_sql, NULL), >, 0);
        }
      test_store_close (&t);
    }
}

/* Each support is recorded once: no child (nor household, for a
 * household's support) gets the same support twice on one day, which the
 * lists showed as the same line twice. */
static void
test_supports_once (void)
{
  g_autoptr(GError) error = NULL;
  ClmrsDemoOptions options = { .households = 60, .seed = 3, .until = "2026-06-30", .months = 12 };
  ClmrsDemoReport report = { 0 };
  TestStore t = { 0 };

  test_store_open (&t, "demo-supports");
  g_assert_true (clmrs_demo_generate (t.store, &options, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.supports, >, 0);
  g_assert_cmpint (test_query_int (t.store, "SELECT count (*) FROM supports", NULL), ==, report.supports);
  g_assert_cmpint (test_query_int (t.store,
                                   "SELECT count (*) FROM (SELECT 1 FROM supports"
                                   " GROUP BY level, coalesce (nullif (child_id, ''), household_id), type, support_date"
                                   " HAVING count (*) > 1)", NULL), ==, 0);
  test_store_close (&t);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/demo/deterministic", test_deterministic);
  g_test_add_func ("/demo/refuses-real-data", test_refuses_real_data);
  g_test_add_func ("/demo/messages-language", test_messages_language);
  g_test_add_func ("/demo/supports-once", test_supports_once);
  return g_test_run ();
}
