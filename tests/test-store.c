/* test-store.c: the store opens durable, migrates, autosaves drafts and guards PINs. */
#include "outbox.h"
#include "store.h"
#include "store-private.h"
#include "store-test-helpers.h"
#include "util.h"
#include "xform.h"

#include <glib/gstdio.h>

typedef struct {
  char       *dir;
  char       *path;
  ClmrsStore *store;
  char       *community;
  char       *facilitator;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("clmrs-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "device.db", NULL);
  f->store = clmrs_store_open (f->path, &error);
  g_assert_no_error (error);
  f->community = clmrs_uuid_new ();
  f->facilitator = clmrs_uuid_new ();
  g_assert_true (clmrs_store_add_community (f->store, f->community, "Kragui", "Soubré", "ci", &error));
  g_assert_no_error (error);
  g_assert_true (clmrs_store_add_facilitator (f->store, f->facilitator, "Awa Koné", "female",
                                              "facilitator", "482193", &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (f->path, "-shm", NULL);

  clmrs_store_close (f->store);
  g_unlink (f->path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->path);
  g_free (f->community);
  g_free (f->facilitator);
}

static char *
query_text (ClmrsStore *store, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *text = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (clmrs_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return text;
}

static void
test_durable_settings (Fixture *f, gconstpointer data)
{
  g_autofree char *journal = query_text (f->store, "PRAGMA journal_mode");
  g_autofree char *sync = query_text (f->store, "PRAGMA synchronous");
  g_autofree char *fk = query_text (f->store, "PRAGMA foreign_keys");
  g_autofree char *version = query_text (f->store, "PRAGMA user_version");

  g_assert_cmpstr (journal, ==, "wal");
  g_assert_cmpstr (sync, ==, "2");    /* FULL */
  g_assert_cmpstr (fk, ==, "1");
  g_assert_cmpint (atoi (version), ==, CLMRS_STORE_SCHEMA_VERSION);
}

static void
test_device_id_persists (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *first = g_strdup (clmrs_store_get_device_id (f->store));
  g_autoptr(ClmrsStore) again = NULL;

  g_assert_true (clmrs_uuid_is_valid (first));
  again = clmrs_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (clmrs_store_get_device_id (again), ==, first);
}

static void
test_foreign_keys_enforced (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *nowhere = clmrs_uuid_new ();
  g_autofree char *id = clmrs_store_draft_create (f->store, "household", "household_visit", "1",
                                                  f->facilitator, f->community, nowhere, NULL, &error);

  g_assert_null (id);
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE);
  g_assert_nonnull (strstr (error->message, "FOREIGN KEY"));
}

static void
test_newer_schema_refused (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) again = NULL;

  g_assert_true (clmrs_store_exec (f->store, "PRAGMA user_version = 99", &error));
  again = clmrs_store_open (f->path, &error);
  g_assert_null (again);
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_VERSION);
  g_assert_nonnull (strstr (error->message, "99"));
  g_assert_nonnull (strstr (error->message, f->path));
}

/* Rows in every table of @db, summed: a migration keeps them all. */
static gint64
count_all_rows (sqlite3 *db)
{
  sqlite3_stmt *tables = NULL;
  gint64 total = 0;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name FROM sqlite_schema WHERE type = 'table'",
                                       -1, &tables, NULL), ==, SQLITE_OK);
  while (sqlite3_step (tables) == SQLITE_ROW)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM \"%s\"", sqlite3_column_text (tables, 0));
      sqlite3_stmt *count = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &count, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_step (count), ==, SQLITE_ROW);
      total += sqlite3_column_int64 (count, 0);
      sqlite3_finalize (count);
    }
  sqlite3_finalize (tables);
  return total;
}

/* Each migration applied to a database of the previous version (fixtures
 * in tests/schema/vN.sql hold real data of version N) keeps its data and
 * passes integrity_check. */
static void
test_migrations_from_each_version (void)
{
  const char *srcdir = g_getenv ("CLMRS_SOURCE_DIR");

  for (int from = 0; from < CLMRS_STORE_SCHEMA_VERSION; from++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *name = g_strdup_printf ("v%d.sql", from);
      g_autofree char *fixture = g_build_filename (srcdir, "tests", "schema", name, NULL);
      g_autofree char *sql = NULL;
      sqlite3 *db = NULL;
      sqlite3_stmt *stmt = NULL;
      gint64 before;

      g_assert_true (g_file_get_contents (fixture, &sql, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
      before = count_all_rows (db);
      g_assert_true (clmrs_store_migrate_db (db, from + 1, &error));
      g_assert_no_error (error);
      g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
      sqlite3_finalize (stmt);
      g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, from + 1);
      sqlite3_finalize (stmt);
      g_assert_cmpint (count_all_rows (db), ==, before);
      sqlite3_close (db);
    }
}

/* Migration 6 folds the names already stored (v5.sql holds "Kouamé
 * Kofi"), and its triggers fold those written after it. */
static void
test_migration_search_key (void)
{
  const char *srcdir = g_getenv ("CLMRS_SOURCE_DIR");
  g_autofree char *fixture = g_build_filename (srcdir, "tests", "schema", "v5.sql", NULL);
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_true (g_file_get_contents (fixture, &sql, NULL, &error));
  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_true (clmrs_store_migrate_db (db, 6, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_exec (db,
      "INSERT INTO households (id, community_id, head_name, device_id, author, created, modified)"
      " SELECT 'new', community_id, 'Djédjé Ébénézer', 'd', 'a', 'x', 'x' FROM households LIMIT 1",
      NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
      "SELECT group_concat (search_key, '|') FROM (SELECT search_key FROM households"
      " WHERE search_key LIKE 'kouame%' OR id = 'new' ORDER BY id)", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "kouame koffi|djedje ebenezer");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* Migration 8 lets a visit close a case: 'closure' is a kind, other
 * unknown kinds are still refused, and the fixture's visits are kept. */
static void
test_migration_closure_kind (void)
{
  const char *srcdir = g_getenv ("CLMRS_SOURCE_DIR");
  g_autofree char *fixture = g_build_filename (srcdir, "tests", "schema", "v7.sql", NULL);
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;
#define INSERT_VISIT(id, kind) \
  "INSERT INTO visits (id, kind, form_id, form_version, state, facilitator_id, started, modified)" \
  " VALUES ('" id "', '" kind "', 'case_closure', '1', 'final', 'f', 'x', 'x')"
  const char *closure = INSERT_VISIT ("c1", "closure");
  const char *bogus = INSERT_VISIT ("c2", "wedding");
#undef INSERT_VISIT
  sqlite3 *db = NULL;

  g_assert_true (g_file_get_contents (fixture, &sql, NULL, &error));
  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, closure, NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
  g_assert_true (clmrs_store_migrate_db (db, 8, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_exec (db, closure, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, bogus, NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
  sqlite3_close (db);
}

static int
int_of (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  int value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

/* Migration 9 rebuilds the visits table to accept farm visits (from the
 * v8 fixture, where closures are already a kind): with
 * foreign keys on, as every store connection has them, the rows that
 * point at visits (answers cascade on delete) are all kept, and foreign
 * keys are on again after. */
static void
test_migration_farm_kind (void)
{
  const char *srcdir = g_getenv ("CLMRS_SOURCE_DIR");
  g_autofree char *fixture = g_build_filename (srcdir, "tests", "schema", "v8.sql", NULL);
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;
  int answers, assessments, visits, indexes;

  g_assert_true (g_file_get_contents (fixture, &sql, NULL, &error));
  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL), ==, SQLITE_OK);
  answers = int_of (db, "SELECT count(*) FROM answers");
  assessments = int_of (db, "SELECT count(*) FROM assessments");
  visits = int_of (db, "SELECT count(*) FROM visits");
  indexes = int_of (db, "SELECT count(*) FROM pragma_index_list('visits')");
  g_assert_cmpint (visits, >, 0);
  g_assert_cmpint (assessments, >, 0);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO visits (id, kind, form_id, form_version, state,"
                                 " facilitator_id, started, modified) VALUES ('f', 'farm', 'farm_visit', '1',"
                                 " 'draft', 'p', 'x', 'x')", NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);

  g_assert_true (clmrs_store_migrate_db (db, 9, &error));
  g_assert_no_error (error);
  g_assert_cmpint (int_of (db, "PRAGMA user_version"), ==, 9);
  g_assert_cmpint (int_of (db, "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (int_of (db, "SELECT count(*) FROM answers"), ==, answers);
  g_assert_cmpint (int_of (db, "SELECT count(*) FROM assessments"), ==, assessments);
  g_assert_cmpint (int_of (db, "SELECT count(*) FROM visits"), ==, visits);
  g_assert_cmpint (int_of (db, "SELECT count(*) FROM pragma_foreign_key_check"), ==, 0);
  g_assert_cmpint (int_of (db, "SELECT count(*) FROM pragma_index_list('visits')"), ==, indexes);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO visits (id, kind, form_id, form_version, state,"
                                 " facilitator_id, started, modified) VALUES ('f', 'farm', 'farm_visit', '1',"
                                 " 'draft', 'p', 'x', 'x')", NULL, NULL, NULL), ==, SQLITE_OK);
  /* the kinds migration 8 added are kept */
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO visits (id, kind, form_id, form_version, state,"
                                 " facilitator_id, started, modified) VALUES ('c', 'closure', 'case_closure', '1',"
                                 " 'draft', 'p', 'x', 'x')", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO visits (id, kind, form_id, form_version, state,"
                                 " facilitator_id, started, modified) VALUES ('g', 'barn', 'farm_visit', '1',"
                                 " 'draft', 'p', 'x', 'x')", NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
  /* the foreign keys still hold on the rebuilt table */
  g_assert_cmpint (sqlite3_exec (db, "DELETE FROM visits WHERE id IN (SELECT visit_id FROM assessments)",
                                 NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
  sqlite3_close (db);
}

/* Migration 11 gives visits a `corrects` link (to a returned visit),
 * empty on every visit already there, and its index. */
static void
test_migration_corrects (void)
{
  const char *srcdir = g_getenv ("CLMRS_SOURCE_DIR");
  g_autofree char *fixture = g_build_filename (srcdir, "tests", "schema", "v10.sql", NULL);
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;
  int visits;

  g_assert_true (g_file_get_contents (fixture, &sql, NULL, &error));
  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL), ==, SQLITE_OK);
  visits = int_of (db, "SELECT count(*) FROM visits");
  g_assert_cmpint (visits, >, 0);
  g_assert_cmpint (sqlite3_exec (db, "SELECT corrects FROM visits", NULL, NULL, NULL), ==, SQLITE_ERROR);

  g_assert_true (clmrs_store_migrate_db (db, 11, &error));
  g_assert_no_error (error);
  g_assert_cmpint (int_of (db, "PRAGMA user_version"), ==, 11);
  g_assert_cmpint (int_of (db, "SELECT count(*) FROM visits WHERE corrects IS NULL"), ==, visits);
  g_assert_cmpint (int_of (db, "SELECT count(*) FROM pragma_index_list('visits') WHERE name = 'visits_corrects'"),
                   ==, 1);
  /* it points at a visit */
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO visits (id, kind, form_id, form_version, state,"
                                 " facilitator_id, started, modified, corrects) VALUES ('c', 'household',"
                                 " 'household_visit', '1', 'draft', 'p', 'x', 'x', 'no such visit')",
                                 NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO visits (id, kind, form_id, form_version, state,"
                                 " facilitator_id, started, modified, corrects) SELECT 'c', 'household',"
                                 " 'household_visit', '1', 'draft', 'p', 'x', 'x', id FROM visits LIMIT 1",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static void
value_free (gpointer data)
{
  ClmrsFormValue *v = data;

  g_free (v->ref);
  g_free (v->value);
  g_free (v);
}

static GPtrArray *
values_new (void)
{
  return g_ptr_array_new_with_free_func (value_free);
}

static void
values_add (GPtrArray *values, const char *ref, const char *value)
{
  ClmrsFormValue *v = g_new0 (ClmrsFormValue, 1);

  v->ref = g_strdup (ref);
  v->value = g_strdup (value);
  g_ptr_array_add (values, v);
}

static void
test_draft_autosave_and_restore (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = clmrs_store_draft_create (f->store, "household", "household_visit", "1",
                                                  f->facilitator, f->community, NULL, NULL, &error);
  g_autoptr(GPtrArray) all = values_new ();
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(ClmrsStore) reopened = NULL;

  g_assert_no_error (error);
  g_assert_true (clmrs_store_draft_save_answer (f->store, id, "/h/household/head_name", "Kouassi", &error));
  g_assert_true (clmrs_store_draft_save_answer (f->store, id, "/h/household/consent", "yes", &error));
  g_assert_true (clmrs_store_draft_save_answer (f->store, id, "/h/household/head_name", "Kouassi Yao", &error));
  g_assert_no_error (error);

  /* a new connection sees every answer, the corrected one in its first place */
  reopened = clmrs_store_open (f->path, &error);
  g_assert_no_error (error);
  loaded = clmrs_store_draft_load (reopened, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->len, ==, 2);
  g_assert_cmpstr (((ClmrsFormValue *) loaded->pdata[0])->value, ==, "Kouassi Yao");
  g_assert_cmpstr (((ClmrsFormValue *) loaded->pdata[1])->ref, ==, "/h/household/consent");
  g_clear_pointer (&loaded, g_ptr_array_unref);

  /* a structural change rewrites the draft in document order */
  values_add (all, "/h/household/head_name", "Kouassi Yao");
  values_add (all, "/h/children/child[1]", NULL);
  values_add (all, "/h/children/child[1]/name", "Ama");
  g_assert_true (clmrs_store_draft_save_all (f->store, id, all, &error));
  g_assert_no_error (error);
  loaded = clmrs_store_draft_load (f->store, id, &error);
  g_assert_cmpuint (loaded->len, ==, 3);
  g_assert_null (((ClmrsFormValue *) loaded->pdata[1])->value);
  g_assert_cmpstr (((ClmrsFormValue *) loaded->pdata[2])->ref, ==, "/h/children/child[1]/name");

  g_assert_true (clmrs_store_draft_discard (f->store, id, &error));
  g_assert_null (clmrs_store_draft_load (f->store, id, &error));
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND);
}

static void
test_finalised_visit_is_not_a_draft (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = clmrs_store_draft_create (f->store, "household", "household_visit", "1",
                                                  f->facilitator, f->community, NULL, NULL, &error);
  g_autofree char *sql = g_strdup_printf ("UPDATE visits SET state = 'final' WHERE id = '%s'", id);

  g_assert_true (clmrs_store_exec (f->store, sql, &error));
  g_assert_false (clmrs_store_draft_save_answer (f->store, id, "/h/x", "1", &error));
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE);
  g_clear_error (&error);
  g_assert_false (clmrs_store_draft_discard (f->store, id, &error));
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE);
}

static void
test_pin (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = query_text (f->store, "SELECT pin_hash FROM facilitators");
  g_autofree char *other = clmrs_uuid_new ();

  g_assert_true (g_str_has_prefix (stored, "pbkdf2-sha256$"));
  g_assert_null (strstr (stored, "482193"));
  g_assert_true (clmrs_store_check_pin (f->store, f->facilitator, "482193", &error));
  g_assert_no_error (error);
  g_assert_false (clmrs_store_check_pin (f->store, f->facilitator, "482194", &error));
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_PIN);
  g_clear_error (&error);
  g_assert_false (clmrs_store_add_facilitator (f->store, other, "Yao", "male", "supervisor", "4821", &error));
  g_assert_nonnull (strstr (error->message, "6 to 12 digits"));
}

/* A line whose string holds a NUL never waits in the outbox for the
 * server to refuse it; one without is queued. */
static void
test_outbox_refuses_nul (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = clmrs_uuid_new ();
  g_autofree char *queued = NULL;

  g_assert_false (clmrs_outbox_enqueue (f->store, id, 1, CLMRS_RECORD_HOUSEHOLD, f->facilitator,
                                        "{\"v\":1,\"body\":{\"head_name\":\"Ama\\u0000 Mensah\"}}", &error));
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, ": body.head_name: a string holds a NUL character (\\u0000)"));
  g_clear_error (&error);
  g_assert_true (clmrs_outbox_enqueue (f->store, id, 1, CLMRS_RECORD_HOUSEHOLD, f->facilitator,
                                       "{\"v\":1,\"body\":{\"head_name\":\"Ama\\\\u0000\"}}", &error));
  g_assert_no_error (error);
  queued = query_text (f->store, "SELECT count (*) FROM outbox");
  g_assert_cmpstr (queued, ==, "1");
}

/* A meta value read back; none is TRUE with NULL; a read that fails is
 * an error, never taken for none (the device id, the sync token and the
 * pull cursor are read so). */
static void
test_meta (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;
  /* the out value is overwritten, not freed: it was the caller's */
  g_autofree char *left_over = g_strdup ("left over");
  char *none = left_over;

  g_assert_true (clmrs_store_set_meta (f->store, "pull_cursor", "42", &error));
  g_assert_no_error (error);
  g_assert_true (clmrs_store_get_meta (f->store, "pull_cursor", &value, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "42");
  g_assert_true (clmrs_store_get_meta (f->store, "no_such_key", &none, &error));
  g_assert_no_error (error);
  g_assert_null (none);

  g_clear_pointer (&value, g_free);
  test_store_fail_statements (f->store, "FROM meta");
  g_assert_false (clmrs_store_get_meta (f->store, "pull_cursor", &value, &error));
  test_store_fail_statements (f->store, NULL);
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE);
  g_assert_nonnull (strstr (error->message, "pull_cursor"));
  g_assert_null (value);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/store/durable-settings", test_durable_settings);
  ADD ("/store/device-id-persists", test_device_id_persists);
  ADD ("/store/foreign-keys-enforced", test_foreign_keys_enforced);
  ADD ("/store/newer-schema-refused", test_newer_schema_refused);
  ADD ("/store/draft-autosave-and-restore", test_draft_autosave_and_restore);
  ADD ("/store/finalised-visit-is-not-a-draft", test_finalised_visit_is_not_a_draft);
  ADD ("/store/pin", test_pin);
  ADD ("/store/outbox-refuses-nul", test_outbox_refuses_nul);
  ADD ("/store/meta", test_meta);
  g_test_add_func ("/store/migrations-from-each-version", test_migrations_from_each_version);
  g_test_add_func ("/store/migration-search-key", test_migration_search_key);
  g_test_add_func ("/store/migration-closure-kind", test_migration_closure_kind);
  g_test_add_func ("/store/migration-farm-kind", test_migration_farm_kind);
  g_test_add_func ("/store/migration-corrects", test_migration_corrects);
  return g_test_run ();
}
