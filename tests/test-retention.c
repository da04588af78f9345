/* test-retention.c: a child whose case closed long ago leaves the device once every record about them is acknowledged, and nothing else does. */
#include <glib/gstdio.h>
#include <string.h>

#include "cases.h"
#include "retention.h"
#include "store.h"
#include "util.h"

typedef struct {
  char *dir;
  char *path;
} Fixture;

#define HOUSEHOLD "h0000000-0000-4000-8000-000000000001"

/* Child @letter's rows: their visits (a follow-up on @day with answers, a
 * supervisor's message and a support, then a closure), an assessment in
 * the household's visit, their case (@status, @open), and each record's
 * envelope in @state ("sent", "queued", or NULL: made elsewhere, none). */
static void
add_child (ClmrsStore *store,
           char        letter,
           const char *day,
           const char *status,
           gboolean    open,
           const char *state,
           gboolean    draft)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  char *q = sqlite3_mprintf (
      "INSERT INTO children (id, household_id, name, sex, age, device_id, author, created, modified)"
      "  VALUES ('child-%c', %Q, 'Child %c', 'female', 12, 'dev', 'fac', %Q, %Q);"
      "INSERT INTO visits (id, kind, form_id, form_version, state, facilitator_id, household_id, child_id,"
      "  visit_date, started, modified, finalised, answers)"
      "  VALUES ('visit-%c', 'follow_up', 'follow_up', '1', %Q, 'fac', %Q, 'child-%c', %Q, %Q, %Q, %Q, '{}');"
      "INSERT INTO answers (visit_id, ref, seq, value) VALUES ('visit-%c', '/data/in_school', 1, 'no');"
      "INSERT INTO visits (id, kind, form_id, form_version, state, facilitator_id, household_id, child_id,"
      "  visit_date, started, modified, finalised, answers)"
      "  VALUES ('closure-%c', 'closure', 'case_closure', '1', 'final', 'fac', %Q, 'child-%c', %Q, %Q, %Q, %Q, '{}');"
      "INSERT INTO reviews (id, visit_id, visit_rev, supervisor_id, decision, message, created)"
      "  VALUES ('review-%c', 'visit-%c', 1, 'sup', 'returned', 'Ask about the school', %Q);"
      "INSERT INTO supports (id, level, type, support_date, household_id, child_id, visit_id, facilitator_id, created)"
      "  VALUES ('support-%c', 'child', 'school_kit', %Q, %Q, 'child-%c', 'visit-%c', 'fac', %Q);"
      "INSERT INTO assessments (id, visit_id, child_id, assessed_on, status, reasons, rules, profile)"
      "  VALUES ('assessment-%c', 'household-visit', 'child-%c', '2023-01-01', 'child_labour', '[]', 'ci', '{}');"
      "INSERT INTO cases (child_id, status, open, last_visit) VALUES ('child-%c', %Q, %d, %Q);",
      letter, HOUSEHOLD, letter, day, day,
      letter, draft ? "draft" : "final", HOUSEHOLD, letter, day, day, day, draft ? NULL : day,
      letter,
      letter, HOUSEHOLD, letter, day, day, day, day,
      letter, letter, day,
      letter, day, HOUSEHOLD, letter, letter, day,
      letter, letter,
      letter, status, open, day);

  sql = g_strdup (q);
  sqlite3_free (q);
  g_assert_cmpint (sqlite3_exec (clmrs_store_get_db (store), sql, NULL, NULL, NULL), ==, SQLITE_OK);
  if (state == NULL)
    return;
  for (const char *const *kind = (const char *[]) { "child", "visit", "closure", "review", "support", NULL };
       *kind != NULL; kind++)
    {
      q = sqlite3_mprintf ("INSERT INTO outbox (record_id, rev, type, facilitator_id, state, envelope, bytes, queued_at)"
                           " VALUES ('%s-%c', 1, %Q, 'fac', %Q, '{\"name\":\"Child %c\"}', 20, %Q)",
                           *kind, letter, *kind, state, letter, day);
      g_assert_cmpint (sqlite3_exec (clmrs_store_get_db (store), q, NULL, NULL, NULL), ==, SQLITE_OK);
      sqlite3_free (q);
    }
  (void) error;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) store = NULL;

  f->dir = g_dir_make_tmp ("clmrs-retention-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "device.db", NULL);
  store = clmrs_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_true (clmrs_store_add_community (store, "c0000000-0000-4000-8000-000000000001", "Kragui", NULL, "ci", &error));
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_exec (clmrs_store_get_db (store),
      "INSERT INTO households (id, community_id, head_name, device_id, author, created, modified)"
      "  VALUES ('" HOUSEHOLD "', 'c0000000-0000-4000-8000-000000000001', 'Kofi Boateng', 'dev', 'fac',"
      "  '2023-01-01', '2023-01-01');"
      "INSERT INTO visits (id, kind, form_id, form_version, state, facilitator_id, household_id, visit_date,"
      "  started, modified, finalised, answers)"
      "  VALUES ('household-visit', 'household', 'household_visit', '1', 'final', 'fac', '" HOUSEHOLD "',"
      "  '2023-01-01', '2023-01-01', '2023-01-01', '2023-01-01', '{}');", NULL, NULL, NULL), ==, SQLITE_OK);
  /* A: closed in 2024, all sent; B: the same with a record still queued;
   * C: closed a month ago; D: a draft of theirs waits; E: an open case;
   * F: closed in 2024, made on another device (no envelope here) */
  add_child (store, 'A', "2024-01-10", "closed", FALSE, "sent", FALSE);
  add_child (store, 'B', "2024-01-10", "closed", FALSE, "queued", FALSE);
  add_child (store, 'C', "2026-05-30", "closed", FALSE, "sent", FALSE);
  add_child (store, 'D', "2024-01-10", "exited", FALSE, "sent", TRUE);
  add_child (store, 'E', "2024-01-10", "child_labour", TRUE, "sent", FALSE);
  add_child (store, 'F', "2024-03-02", "exited", FALSE, NULL, FALSE);
  /* G: as A, but a photo of their visit the server has not held yet */
  add_child (store, 'G', "2024-01-10", "closed", FALSE, "sent", FALSE);
  g_assert_cmpint (sqlite3_exec (clmrs_store_get_db (store),
      "INSERT INTO media (id, visit_id, ref, name, mime, size, sha256, content, created)"
      "  VALUES ('media-G', 'visit-G', '/data/photo', 'photo-G.jpg', 'image/jpeg', 3, 'x', x'010203', '2024-01-10');"
      "INSERT INTO media (id, visit_id, ref, name, mime, size, sha256, content, created, sent, acked)"
      "  VALUES ('media-A', 'visit-A', '/data/photo', 'photo-A.jpg', 'image/jpeg', 3, 'x', x'010203', '2024-01-10',"
      "  3, '2024-01-11');", NULL, NULL, NULL), ==, SQLITE_OK);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  for (const char *const *suffix = (const char *[]) { "", "-wal", "-shm", NULL }; *suffix != NULL; suffix++)
    {
      g_autofree char *path = g_strconcat (f->path, *suffix, NULL);

      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static int
count (const char *path,
       const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) store = clmrs_store_open (path, &error);
  sqlite3_stmt *stmt = NULL;
  int n;

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_prepare_v2 (clmrs_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

/* `clmrs --db PATH purge ARG` on 2026-06-30: its status; stdout in @out. */
static int
purge (Fixture     *f,
       const char  *arg,
       char       **out)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = g_environ_setenv (g_get_environ (), "CLMRS_TODAY", "2026-06-30", TRUE);
  int status;

  g_assert_true (g_spawn_sync (NULL, (char *[]) { (char *) g_getenv ("CLMRS_CLI"), "--db", f->path, "purge",
                                                  (char *) arg, NULL },
                               env, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, out, NULL, &status, &error));
  g_assert_no_error (error);
  return g_spawn_check_wait_status (status, NULL) ? 0 : 1;
}

#define ROWS_OF(letter) \
  "SELECT (SELECT count (*) FROM children WHERE id = 'child-" letter "')" \
  " + (SELECT count (*) FROM visits WHERE child_id = 'child-" letter "')" \
  " + (SELECT count (*) FROM answers WHERE visit_id = 'visit-" letter "')" \
  " + (SELECT count (*) FROM reviews WHERE id = 'review-" letter "')" \
  " + (SELECT count (*) FROM supports WHERE child_id = 'child-" letter "')" \
  " + (SELECT count (*) FROM assessments WHERE child_id = 'child-" letter "')" \
  " + (SELECT count (*) FROM cases WHERE child_id = 'child-" letter "')" \
  " + (SELECT count (*) FROM outbox WHERE record_id LIKE '%-" letter "')"

/* Only A and F qualify (closed over 365 days before 2026-06-30, nothing
 * of theirs waiting): --dry-run lists them and changes nothing; purge
 * deletes every row about them, envelopes and photos included, and
 * nothing of B (a record queued), C (closed recently), D (a draft), E
 * (open), G (a photo not yet on the server), nor the household or its
 * own visit. */
static void
test_purge (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *out = NULL;
  int rows_a = count (f->path, ROWS_OF ("A"));

  g_assert_cmpint (rows_a, ==, 13);
  g_assert_cmpint (purge (f, "--dry-run", &out), ==, 0);
  g_assert_nonnull (strstr (out, "child-A  " HOUSEHOLD "  closed   2024-01-10  2 visits\n"));
  g_assert_nonnull (strstr (out, "child-F  " HOUSEHOLD "  exited   2024-03-02  2 visits\n"));
  g_assert_nonnull (strstr (out, "2 children would leave this device"));
  for (const char *other = "BCDEG"; *other != '\0'; other++)
    {
      g_autofree char *id = g_strdup_printf ("child-%c", *other);

      g_assert_null (strstr (out, id));
    }
  g_assert_cmpint (count (f->path, ROWS_OF ("A")), ==, rows_a);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (purge (f, NULL, &out), ==, 0);
  g_assert_nonnull (strstr (out, "2 children left this device"));
  g_assert_cmpint (count (f->path, ROWS_OF ("A")), ==, 0);
  g_assert_cmpint (count (f->path, ROWS_OF ("F")), ==, 0);
  g_assert_cmpint (count (f->path, ROWS_OF ("B")), ==, 13);
  g_assert_cmpint (count (f->path, ROWS_OF ("C")), ==, 13);
  g_assert_cmpint (count (f->path, ROWS_OF ("D")), ==, 13);
  g_assert_cmpint (count (f->path, ROWS_OF ("E")), ==, 13);
  g_assert_cmpint (count (f->path, ROWS_OF ("G")), ==, 13);
  g_assert_cmpint (count (f->path, "SELECT count (*) FROM media WHERE id = 'media-G'"), ==, 1);
  g_assert_cmpint (count (f->path, "SELECT count (*) FROM media WHERE id = 'media-A'"), ==, 0);
  g_assert_cmpint (count (f->path, "SELECT count (*) FROM households"), ==, 1);
  g_assert_cmpint (count (f->path, "SELECT count (*) FROM visits WHERE id = 'household-visit'"), ==, 1);
  g_assert_cmpint (count (f->path, "SELECT count (*) FROM outbox WHERE envelope LIKE '%Child A%'"), ==, 0);
  g_clear_pointer (&out, g_free);

  /* again: nothing left to do */
  g_assert_cmpint (purge (f, NULL, &out), ==, 0);
  g_assert_nonnull (strstr (out, "0 children left this device"));
}

/* The setting is the programme's: 0 keeps every child; a bad value is
 * refused by name; the shipped rules say 365 days. */
static void
test_setting (void)
{
  g_autoptr(GError) error = NULL;
  ClmrsCaseConfig config;

  g_assert_true (clmrs_case_config_load_programme (&config, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (config.closed_keep_days, ==, 365);
  for (const char *const *bad = (const char *[]) { "{\"closed_keep_days\": -1}", "{\"closed_keep_days\": \"a year\"}",
                                                   "{\"closed_keep_days\": 40000}", "{\"closed_keep_days\": 1.5}", NULL };
       *bad != NULL; bad++)
    {
      g_autoptr(JsonNode) node = json_from_string (*bad, NULL);

      g_assert_false (clmrs_case_config_from_json (&config, node, &error));
      g_assert_nonnull (strstr (error->message, "closed_keep_days"));
      g_clear_error (&error);
      g_assert_cmpuint (config.closed_keep_days, ==, 365);
    }
}

static void
test_keep_forever (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) store = clmrs_store_open (f->path, &error);
  g_autoptr(GPtrArray) none = NULL;
  GDate today;
  guint purged = 99;

  g_assert_no_error (error);
  g_date_clear (&today, 1);
  g_date_set_dmy (&today, 1, 1, 2040);
  none = clmrs_retention_list (store, &today, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);
  g_assert_true (clmrs_retention_purge (store, &today, 0, &purged, &error));
  g_assert_cmpuint (purged, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/retention/purge", Fixture, NULL, fixture_setup, test_purge, fixture_teardown);
  g_test_add ("/retention/keep-forever", Fixture, NULL, fixture_setup, test_keep_forever, fixture_teardown);
  g_test_add_func ("/retention/setting", test_setting);
  return g_test_run ();
}
