/* test-sync-trust.c: a device that lies cannot break or falsify another's data.
 *
 * A real clmrs-server on loopback, an honest device A with demo data, and
 * a device B of the same community whose outbox the test fills with
 * forged envelopes, sent by the real sync client.  Each attack must be
 * refused with its reason, and A's data must come through untouched. */
#include "audit.h"
#include "client.h"
#include "demo.h"
#include "outbox.h"
#include "record.h"
#include "review.h"
#include "store.h"
#include "syncstore.h"
#include "util.h"
#include "sync-harness.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

/* The author of B's forged envelopes. */
#define FORGER "33333333-3333-4333-8333-333333333333"

typedef struct {
  char           *dir;
  char           *server_db;
  SyncTestServer  server;
  char           *a;          /* the honest device, with demo data */
  char           *b;          /* the device that lies */
  char           *community;  /* A's only community */
} Fixture;

/* The first column of the first row of @sql as text ("" when NULL, NULL
 * when there is no row), on any SQLite database. */
static char *
query_text (const char *db_path,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *out = NULL;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    out = g_strdup (sqlite3_column_text (stmt, 0) ? (const char *) sqlite3_column_text (stmt, 0) : "");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return out;
}

static void
enrol (Fixture    *f,
        const char *db,
        const char *communities)
{
  g_autofree char *code = sync_test_enrol_code (f->server_db, communities);
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) store = clmrs_store_open (db, &error);
  ClmrsSyncConfig config = { .server_url = f->server.url };

  g_assert_no_error (error);
  g_assert_true (clmrs_sync_enrol (store, &config, code, "test tablet", &error));
  g_assert_no_error (error);
}

static void
sync_ok (Fixture         *f,
         const char      *db,
         ClmrsSyncReport *report)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) store = clmrs_store_open (db, &error);
  ClmrsSyncConfig config = { .server_url = f->server.url, .backoff_ms = 20 };

  g_assert_no_error (error);
  g_assert_true (clmrs_sync_run (store, &config, NULL, NULL, NULL, report, &error));
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *log = NULL;
  g_autofree char *supervisor = NULL;
  g_autoptr(GError) error = NULL;
  ClmrsSyncReport report;

  f->dir = sync_test_make_dir ();
  f->server_db = g_build_filename (f->dir, "server.db", NULL);
  log = g_build_filename (f->dir, "server.log", NULL);
  sync_test_server_start (&f->server, f->server_db, log, NULL);

  f->a = g_build_filename (f->dir, "a.db", NULL);
  f->b = g_build_filename (f->dir, "b.db", NULL);
  {
    g_autoptr(ClmrsStore) store = clmrs_store_open (f->a, &error);
    ClmrsDemoOptions options = { .households = 8, .seed = 3, .until = "2026-06-30", .communities = 1 };
    ClmrsDemoReport demo;

    g_assert_no_error (error);
    g_assert_true (clmrs_demo_generate (store, &options, &demo, &error));
    g_assert_no_error (error);
  }
  {
    g_autoptr(ClmrsStore) store = clmrs_store_open (f->b, &error);

    g_assert_no_error (error);
  }
  f->community = query_text (f->a, "SELECT id FROM communities");
  supervisor = query_text (f->a, "SELECT id FROM facilitators WHERE role = 'supervisor'");
  g_assert_nonnull (supervisor);
  enrol (f, f->a, f->community);
  enrol (f, f->b, f->community);
  /* A's people were declared as facilitators: its supervisor's reviews
   * are accepted once an administrator promotes her */
  sync_test_promote (f->server_db, supervisor);
  /* B's forged envelopes name a facilitator the server knows: what is
   * forged in each test is something else */
  g_free (sync_test_add_person (f->server_db, FORGER, "facilitator", f->community));
  sync_ok (f, f->a, &report);
  g_assert_cmpuint (report.rejected, ==, 0);
  g_assert_cmpuint (sync_test_device_count (f->a, "SELECT count (*) FROM reviews"), >, 0);
  g_assert_cmpuint (report.conflicts, ==, 0);
  sync_ok (f, f->b, &report);
  g_assert_cmpuint (report.pulled, >, 20);
  g_assert_cmpuint (report.set_aside, ==, 0);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  sync_test_server_clear (&f->server);
  sync_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->server_db);
  g_free (f->a);
  g_free (f->b);
  g_free (f->community);
}

/* Puts a forged envelope in B's outbox (as a modified client would):
 * @device_id NULL means B's own local id. */
static void
forge_on (Fixture         *f,
          const char      *device,
          ClmrsRecordType  type,
       const char      *id,
       gint64           rev,
       const char      *device_id,
       const char      *body_json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) store = clmrs_store_open (device, &error);
  g_autoptr(JsonNode) body = json_from_string (body_json, &error);
  g_autofree char *schema = g_strdup_printf ("clmrs.%s@1", clmrs_record_type_to_string (type));
  ClmrsRecordHeader header = {
    .type = type, .id = id, .rev = rev,
    .device_id = device_id ? device_id : clmrs_store_get_device_id (store),
    .author = FORGER,
    .community_id = f->community,
    .created = "2026-06-01T09:00:00Z", .modified = "2026-06-01T09:00:00Z",
    .schema = schema,
  };
  g_autofree char *line = NULL;

  g_assert_no_error (error);
  line = clmrs_record_envelope_line (&header, g_steal_pointer (&body));
  g_assert_true (clmrs_outbox_enqueue (store, id, rev, type, FORGER, line, &error));
  g_assert_no_error (error);
}

#define forge(f, ...) forge_on ((f), (f)->b, __VA_ARGS__)

/* The reason B's outbox holds for record @id rev @rev (NULL if not rejected). */
static char *
rejection (Fixture    *f,
           const char *id,
           gint64      rev)
{
  g_autofree char *sql = g_strdup_printf ("SELECT reject_reason FROM outbox WHERE record_id = '%s' AND rev = %"
                                          G_GINT64_FORMAT " AND state = 'rejected'", id, rev);

  return query_text (f->b, sql);
}

/* 1. A record no device could apply is rejected on push with the member
 * named; one an older server stored anyway is set aside by the devices
 * that pull it, whose pulls go on past it; an administrator quarantines it. */
static void
test_poison_record (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *household = query_text (f->a, "SELECT id FROM households LIMIT 1");
  g_autofree char *bogus = g_uuid_string_random ();
  g_autofree char *legacy = g_uuid_string_random ();
  g_autofree char *good = g_uuid_string_random ();
  g_autofree char *body = g_strdup_printf ("{\"kind\":\"bogus\",\"household_id\":\"%s\",\"child_id\":null,"
                                           "\"date\":\"2026-06-01\",\"answers\":{},\"assessments\":[]}", household);
  g_autofree char *reason = NULL;
  g_autofree char *queue = NULL;
  g_autofree char *out = NULL;
  g_autofree char *c = g_build_filename (f->dir, "c.db", NULL);
  g_autofree char *d = g_build_filename (f->dir, "d.db", NULL);
  g_autofree char *line = NULL;
  g_autofree char *b_server_id = NULL;
  g_autofree char *sql = NULL;
  ClmrsSyncReport report;
  gint64 households_a;

  forge (f, CLMRS_RECORD_VISIT, bogus, 1, NULL, body);
  forge (f, CLMRS_RECORD_HOUSEHOLD, good, 1, NULL, "{\"head_name\":\"Abena Owusu\",\"head_sex\":\"female\"}");
  sync_ok (f, f->b, &report);
  g_assert_cmpuint (report.stored, ==, 1);
  g_assert_cmpuint (report.rejected, ==, 1);
  reason = rejection (f, bogus, 1);
  g_assert_cmpstr (reason, ==, "body.kind: expected one of household, follow_up, support, awareness, community, closure, farm");
  g_assert_cmpint (sync_test_server_stat (f->server_db, "records"), ==,
                   sync_test_device_count (f->a, "SELECT count (*) FROM outbox") + 1);

  /* what an older server stored: the same poison, in the stream */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ClmrsStore) store = clmrs_store_open (f->b, &error);
    ClmrsRecordHeader header = {
      .type = CLMRS_RECORD_VISIT, .id = legacy, .rev = 1, .device_id = clmrs_store_get_device_id (store),
      .author = FORGER, .community_id = f->community,
      .created = "2026-06-01T09:00:00Z", .modified = "2026-06-01T09:00:00Z", .schema = "household_visit@1",
    };

    g_assert_no_error (error);
    line = clmrs_record_envelope_line (&header, json_from_string (body, NULL));
  }
  b_server_id = query_text (f->b, "SELECT value FROM meta WHERE key = 'server_device_id'");
  {
    g_autofree char *quoted = sqlite3_mprintf ("%Q", line);

    sql = g_strdup_printf ("INSERT INTO records (kind, id, rev, type, community_id, pushed_by, sha256, line, received)"
                           " VALUES ('record', '%s', 1, 'visit', '%s', '%s', 'x', %s%s%s, '2026-06-01T09:00:00Z');"
                           "INSERT INTO record_owners VALUES ('%s', 'visit', '%s', '%s', 1);",
                           legacy, f->community, b_server_id,
                           /* a line is bytea on PostgreSQL */
                           sync_test_server_on_postgres () ? "convert_to (" : "", quoted,
                           sync_test_server_on_postgres () ? ", 'UTF8')" : "",
                           legacy, f->community, b_server_id);
    sqlite3_free (g_steal_pointer (&quoted));
  }
  sync_test_server_exec (f->server_db, sql);

  /* A, and a new device C, pull past it: everything else arrives */
  households_a = sync_test_device_count (f->a, "SELECT count (*) FROM households");
  sync_ok (f, f->a, &report);
  g_assert_cmpuint (report.set_aside, ==, 1);
  g_assert_cmpint (sync_test_device_count (f->a, "SELECT count (*) FROM households"), ==, households_a + 1);
  {
    g_autofree char *visit = g_strdup_printf ("SELECT count (*) FROM visits WHERE id = '%s'", legacy);

    g_assert_cmpint (sync_test_device_count (f->a, visit), ==, 0);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ClmrsStore) store = clmrs_store_open (c, &error);

    g_assert_no_error (error);
  }
  enrol (f, c, f->community);
  sync_ok (f, c, &report);
  g_assert_cmpuint (report.set_aside, ==, 1);
  g_assert_cmpint (sync_test_device_count (c, "SELECT count (*) FROM households"), ==, households_a + 1);
  {
    g_autofree char *cursor = query_text (c, "SELECT value FROM meta WHERE key = 'pull_cursor'");
    g_autofree char *newest = sync_test_server_query (f->server_db, "SELECT max (seq) FROM records");

    g_assert_cmpstr (cursor, ==, newest);
  }
  /* and says so */
  queue = sync_test_run_ok (sync_test_cli (), "--db", c, "queue", NULL);
  g_assert_nonnull (strstr (queue, "1 pulled record set aside"));
  g_assert_nonnull (strstr (queue, legacy));
  g_assert_nonnull (strstr (queue, "body.kind: expected one of"));
  g_clear_pointer (&queue, g_free);
  queue = sync_test_run_ok (sync_test_cli (), "--db", c, "queue", "--json", NULL);
  g_assert_nonnull (strstr (queue, "\"set_aside\":[{\"id\":\""));
  /* the server was told, once */
  {
    g_autofree char *c_server = query_text (c, "SELECT value FROM meta WHERE key = 'server_device_id'");
    g_autofree char *problems = sync_test_run_ok (sync_test_server_program (), "problems", "--db", f->server_db,
                                                  NULL);
    g_autofree char *expected = g_strdup_printf ("\t%s\t%s\t1\tvisit\tbody.kind: expected one of", c_server, legacy);

    g_test_message ("%s", problems);
    g_assert_nonnull (strstr (problems, expected));
    g_assert_cmpint (sync_test_device_count (c, "SELECT count (*) FROM set_aside WHERE reported"), ==, 1);
  }
  /* a second sync changes nothing and still goes through */
  sync_ok (f, c, &report);
  g_assert_cmpuint (report.set_aside, ==, 1);
  {
    g_autofree char *problems = sync_test_run_ok (sync_test_server_program (), "problems", "--db", f->server_db,
                                                  "--json", NULL);
    g_auto(GStrv) lines = g_strsplit (g_strstrip (problems), "\n", -1);

    /* A's report and C's, each once */
    g_assert_cmpuint (g_strv_length (lines), ==, 2);
  }

  /* the administrator quarantines it: a new device never receives it */
  g_assert_cmpint (sync_test_run (&out, sync_test_server_program (), "quarantine", "--db", f->server_db,
                                  legacy, NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  out = sync_test_run_ok (sync_test_server_program (), "quarantine", "--db", f->server_db,
                          "--reason", "a visit of an unknown kind, stored by server 0.1", legacy, NULL);
  {
    g_autofree char *expected = g_strdup_printf ("quarantined %s\n", legacy);

    g_assert_cmpstr (out, ==, expected);
  }
  g_clear_pointer (&out, g_free);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ClmrsStore) store = clmrs_store_open (d, &error);

    g_assert_no_error (error);
  }
  enrol (f, d, f->community);
  sync_ok (f, d, &report);
  g_assert_cmpuint (report.set_aside, ==, 0);
  g_assert_cmpint (sync_test_device_count (d, "SELECT count (*) FROM households"), ==, households_a + 1);
  out = sync_test_run_ok (sync_test_server_program (), "admin-log", "--db", f->server_db, NULL);
  g_assert_nonnull (strstr (out, "\tquarantine\t"));
  g_assert_nonnull (strstr (out, "a visit of an unknown kind, stored by server 0.1"));
  g_clear_pointer (&out, g_free);
  /* deleted for good, logged without its content */
  out = sync_test_run_ok (sync_test_server_program (), "delete-record", "--db", f->server_db,
                          "--reason", "poison", legacy, NULL);
  g_clear_pointer (&out, g_free);
  {
    g_autofree char *gone = g_strdup_printf ("SELECT 1 FROM records WHERE id = '%s'", legacy);
    g_autofree char *row = sync_test_server_query (f->server_db, gone);

    g_assert_null (row);
  }
  out = sync_test_run_ok (sync_test_server_program (), "admin-log", "--db", f->server_db, "--json", NULL);
  g_assert_nonnull (strstr (out, "\"action\":\"delete\""));
  g_assert_nonnull (strstr (out, "visit of community"));
  g_assert_null (strstr (out, "bogus"));
}

/* 2. B revises A's household (rev 2, "HACKED"): kept aside as a conflict,
 * A's stays; B forges A's device_id: rejected; B pins its own household
 * at the largest rev: rejected.  Handed over, B's revision goes in. */
static void
test_overwrite (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *household = query_text (f->a, "SELECT id FROM households ORDER BY id LIMIT 1");
  g_autofree char *name = query_text (f->a, "SELECT head_name FROM households ORDER BY id LIMIT 1");
  g_autofree char *a_local = query_text (f->a, "SELECT value FROM meta WHERE key = 'device_id'");
  g_autofree char *a_server = query_text (f->a, "SELECT value FROM meta WHERE key = 'server_device_id'");
  g_autofree char *b_server = query_text (f->b, "SELECT value FROM meta WHERE key = 'server_device_id'");
  g_autofree char *own = g_uuid_string_random ();
  g_autofree char *hidden = g_uuid_string_random ();
  g_autofree char *reason = NULL;
  g_autofree char *out = NULL;
  g_autofree char *sql = NULL;
  ClmrsSyncReport report;

  forge (f, CLMRS_RECORD_HOUSEHOLD, household, 2, NULL, "{\"head_name\":\"HACKED\",\"head_sex\":\"male\"}");
  forge (f, CLMRS_RECORD_HOUSEHOLD, hidden, 1, a_local, "{\"head_name\":\"Hidden\",\"head_sex\":\"male\"}");
  forge (f, CLMRS_RECORD_HOUSEHOLD, own, 1, NULL, "{\"head_name\":\"Kofi Mensah\",\"head_sex\":\"male\"}");
  forge (f, CLMRS_RECORD_HOUSEHOLD, own, G_MAXINT64, NULL, "{\"head_name\":\"Pinned\",\"head_sex\":\"male\"}");
  sync_ok (f, f->b, &report);
  g_assert_cmpuint (report.stored, ==, 1);
  g_assert_cmpuint (report.conflicts, ==, 1);
  g_assert_cmpuint (report.rejected, ==, 2);

  reason = rejection (f, household, 2);
  g_assert_nonnull (strstr (reason, "belongs to the device that created it"));
  g_clear_pointer (&reason, g_free);
  reason = rejection (f, hidden, 1);
  g_assert_cmpstr (reason, ==, "device_id: not the id this device stamps its records with");
  g_clear_pointer (&reason, g_free);
  reason = rejection (f, own, G_MAXINT64);
  g_assert_cmpstr (reason, ==, "rev: 9223372036854775807 is more than 100 above the stored revision (1)");

  /* A's household is A's on A, on the server and on a new pull */
  sync_ok (f, f->a, &report);
  sql = g_strdup_printf ("SELECT head_name FROM households WHERE id = '%s'", household);
  {
    g_autofree char *now = query_text (f->a, sql);

    g_assert_cmpstr (now, ==, name);
  }
  g_assert_cmpint (sync_test_device_count (f->a, "SELECT count (*) FROM households WHERE head_name IN "
                                                 "('HACKED', 'Hidden', 'Pinned')"), ==, 0);
  g_assert_cmpint (sync_test_device_count (f->a, "SELECT count (*) FROM households WHERE head_name = 'Kofi Mensah'"),
                   ==, 1);
  g_assert_cmpint (sync_test_server_stat (f->server_db, "conflicts"), ==, 1);
  {
    g_autoptr(GPtrArray) lines = sync_test_server_export (f->server_db);

    for (guint i = 0; i < lines->len; i++)
      g_assert_null (strstr (g_ptr_array_index (lines, i), "HACKED"));
  }

  /* handed over, with a reason: B may revise it now */
  g_assert_cmpint (sync_test_run (&out, sync_test_server_program (), "hand-over", "--db", f->server_db,
                                  "--from", a_server, "--to", b_server, "--record", household, NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  out = sync_test_run_ok (sync_test_server_program (), "hand-over", "--db", f->server_db, "--from", a_server,
                          "--to", b_server, "--record", household, "--reason", "Ama moved to B's round", NULL);
  g_assert_cmpstr (out, ==, "handed over 1 record\n");
  g_clear_pointer (&out, g_free);
  forge (f, CLMRS_RECORD_HOUSEHOLD, household, 3, NULL, "{\"head_name\":\"Ama Owusu\",\"head_sex\":\"female\"}");
  sync_ok (f, f->b, &report);
  g_assert_cmpuint (report.stored, ==, 1);
  sync_ok (f, f->a, &report);
  {
    g_autofree char *now = query_text (f->a, sql);

    g_assert_cmpstr (now, ==, "Ama Owusu");
  }
  out = sync_test_run_ok (sync_test_server_program (), "admin-log", "--db", f->server_db, NULL);
  g_assert_nonnull (strstr (out, "\thand-over\t"));
  g_assert_nonnull (strstr (out, "Ama moved to B's round"));
}

/* 3. A version-1 server database opens migrated: each record owned by
 * the device that pushed its first revision, with its highest rev, and
 * nothing lost. */
static void
test_server_migration (void)
{
  g_autofree char *dir = sync_test_make_dir ();
  g_autofree char *db = g_build_filename (dir, "server.db", NULL);
  g_autofree char *fixture = g_build_filename (g_getenv ("CLMRS_SOURCE_DIR"), "tests", "schema", "server-v1-owners.sql", NULL);
  g_autofree char *stats = NULL;
  g_autofree char *owners = NULL;

  /* on SQLite, or through the server's dialect on PostgreSQL */
  sync_test_server_load_fixture (db, fixture);

  stats = sync_test_run_ok (sync_test_server_program (), "stats", "--db", db, "--json", NULL);
  g_assert_nonnull (strstr (stats, "\"records\" : 3"));
  g_assert_cmpint (sync_test_server_version (db), ==, 7);
  owners = sync_test_server_query (db, "SELECT group_concat (id || ' ' || type || ' ' || device_id || ' ' || max_rev, "
                                       "'; ') FROM (SELECT * FROM record_owners ORDER BY id) AS o");
  g_assert_cmpstr (owners, ==,
                   "h1111111-1111-4111-8111-111111111111 household d1111111-1111-4111-8111-111111111111 2; "
                   "k1111111-1111-4111-8111-111111111111 child d2222222-2222-4222-8222-222222222222 1");
  sync_test_remove_tree (dir);
}

/* 4. A handheld enrolled again with its old token keeps revising its own
 * records: the new entry takes over the old one's records and local id,
 * the old token stops working, and the log says so. */
static void
test_reenrol (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *household = query_text (f->a, "SELECT id FROM households ORDER BY id LIMIT 1");
  g_autofree char *rev = query_text (f->a, "SELECT rev FROM households ORDER BY id LIMIT 1");
  g_autofree char *old_server = query_text (f->a, "SELECT value FROM meta WHERE key = 'server_device_id'");
  g_autofree char *new_server = NULL;
  g_autofree char *log = NULL;
  g_autofree char *revoked = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT revoked FROM devices WHERE device_id = '%s'", old_server);
  ClmrsSyncReport report;

  enrol (f, f->a, f->community);
  new_server = query_text (f->a, "SELECT value FROM meta WHERE key = 'server_device_id'");
  g_assert_cmpstr (new_server, !=, old_server);
  revoked = sync_test_server_query (f->server_db, sql);
  g_assert_cmpstr (revoked, !=, "");

  forge_on (f, f->a, CLMRS_RECORD_HOUSEHOLD, household, g_ascii_strtoll (rev, NULL, 10) + 1, NULL,
            "{\"head_name\":\"Ama Owusu Mensah\",\"head_sex\":\"female\"}");
  /* and its own facilitator, whom it declared under its old entry, visits one more household */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ClmrsStore) store = clmrs_store_open (f->a, &error);
    g_autofree char *facilitator = query_text (f->a, "SELECT id FROM facilitators WHERE role = 'facilitator' LIMIT 1");
    g_autofree char *visit = NULL;
    guint n_children = 0;

    g_assert_no_error (error);
    visit = clmrs_demo_household_visit (store, f->community, facilitator, 91, &n_children, &error);
    g_assert_no_error (error);
    g_assert_nonnull (visit);
  }
  sync_ok (f, f->a, &report);
  g_assert_cmpuint (report.stored, >=, 3);
  g_assert_cmpuint (report.conflicts, ==, 0);
  g_assert_cmpuint (report.rejected, ==, 0);
  log = sync_test_run_ok (sync_test_server_program (), "admin-log", "--db", f->server_db, NULL);
  g_assert_nonnull (strstr (log, "\tre-enrol\t"));
  g_assert_nonnull (strstr (log, "the device enrolled again with its previous token"));
  g_assert_nonnull (strstr (log, " people from device "));
}


/* 5. A device's own "supervisor" is a facilitator for the server until an
 * administrator promotes her: her review is rejected with the reason, and
 * no other device applies it. */
static void
test_unpromoted_review (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *c = g_build_filename (f->dir, "c.db", NULL);
  g_autofree char *mariam = g_uuid_string_random ();
  g_autofree char *visit = query_text (f->a, "SELECT id FROM visits WHERE state = 'final' AND kind = 'household'"
                                             " AND id NOT IN (SELECT visit_id FROM reviews) LIMIT 1");
  g_autofree char *sql = NULL;
  g_autofree char *review = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *role = NULL;
  ClmrsSyncReport report;

  g_assert_nonnull (visit);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ClmrsStore) store = clmrs_store_open (c, &error);

    g_assert_no_error (error);
    g_assert_true (clmrs_store_add_facilitator (store, mariam, "Mariam Ouattara", "female", "supervisor",
                                                "246813", &error));
    g_assert_no_error (error);
  }
  enrol (f, c, f->community);
  /* the server's word on roles: a facilitator, on C too */
  sql = g_strdup_printf ("SELECT role FROM facilitators WHERE id = '%s'", mariam);
  role = query_text (c, sql);
  g_assert_cmpstr (role, ==, "facilitator");
  sync_ok (f, c, &report);
  g_assert_cmpuint (report.pulled, >, 20);

  /* C itself refuses her review; a modified C records it anyway */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ClmrsStore) store = clmrs_store_open (c, &error);

    g_assert_no_error (error);
    g_assert_null (clmrs_review_record (store, visit, mariam, "returned", "the ages do not add up", &error));
    g_assert_nonnull (strstr (error->message, "is not an active supervisor on this device"));
    g_clear_error (&error);
    g_assert_true (clmrs_store_exec (store, "UPDATE facilitators SET role = 'supervisor'", &error));
    review = clmrs_review_record (store, visit, mariam, "returned", "the ages do not add up", &error);
    g_assert_no_error (error);
    g_assert_nonnull (review);
  }
  sync_ok (f, c, &report);
  g_assert_cmpuint (report.rejected, ==, 1);
  g_free (sql);
  sql = g_strdup_printf ("SELECT reject_reason FROM outbox WHERE record_id = '%s' AND state = 'rejected'", review);
  reason = query_text (c, sql);
  g_assert_cmpstr (reason, ==, "author: only a supervisor may approve or return a visit");

  /* A, whose visit it is, never sees it */
  sync_ok (f, f->a, &report);
  g_free (sql);
  sql = g_strdup_printf ("SELECT count (*) FROM reviews WHERE visit_id = '%s'", visit);
  g_assert_cmpint (sync_test_device_count (f->a, sql), ==, 0);
  g_free (sql);
  sql = g_strdup_printf ("SELECT count (*) FROM records WHERE id = '%s'", review);
  g_free (reason);
  reason = sync_test_server_query (f->server_db, sql);
  g_assert_cmpstr (reason, ==, "0");
}

/* 6. What the administrator changes reaches a device at its next sync:
 * a disabled facilitator can no longer sign in, a new one arrives with
 * a one-time PIN that signs in once, and then her own. */
static void
test_people_reach_devices (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *leaving = query_text (f->a, "SELECT id FROM facilitators WHERE role = 'facilitator'"
                                               " ORDER BY id LIMIT 1");
  g_autofree char *out = NULL;
  g_autofree char *newcomer = NULL;
  g_autofree char *pin = NULL;
  g_auto(GStrv) lines = NULL;
  ClmrsSyncReport report;

  g_free (sync_test_run_ok (sync_test_server_program (), "people", "disable", "--db", f->server_db,
                            "--reason", "left the programme", leaving, NULL));
  out = sync_test_run_ok (sync_test_server_program (), "people", "add", "--db", f->server_db, "--name", "Esi Boateng",
                          "--sex", "female", "--role", "facilitator", "--communities", f->community,
                          "--one-time-pin", NULL);
  lines = g_strsplit (g_strstrip (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  newcomer = g_strdup (lines[1]);
  pin = g_strdup (strrchr (lines[0], ' ') + 1);
  g_assert_cmpuint (strlen (pin), ==, 6);

  sync_ok (f, f->a, &report);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ClmrsStore) store = clmrs_store_open (f->a, &error);
    ClmrsPinState state;

    g_assert_no_error (error);
    g_assert_false (clmrs_store_check_pin (store, leaving, "100000", &error));
    g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND);
    g_clear_error (&error);

    g_assert_true (clmrs_store_get_pin_state (store, newcomer, &state, &error));
    g_assert_cmpint (state, ==, CLMRS_PIN_STATE_ONE_TIME);
    g_assert_true (clmrs_store_check_pin (store, newcomer, pin, &error));
    g_assert_no_error (error);
    g_assert_true (clmrs_store_set_own_pin (store, newcomer, pin, "864213", &error));
    g_assert_no_error (error);
  }
  /* the next sync keeps her own PIN */
  sync_ok (f, f->a, &report);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ClmrsStore) store = clmrs_store_open (f->a, &error);

    g_assert_true (clmrs_store_check_pin (store, newcomer, "864213", &error));
    g_assert_no_error (error);
    g_assert_false (clmrs_store_check_pin (store, newcomer, pin, &error));
    g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_PIN);
  }
  /* and B, which has no people of its own, received her too, with no PIN of its own yet */
  sync_ok (f, f->b, &report);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM facilitators WHERE id = '%s' AND active", newcomer);

    g_assert_cmpint (sync_test_device_count (f->b, sql), ==, 1);
  }
}

/* 7. The audit trail: who signed in (and who typed a wrong PIN), who
 * opened which household, who signed out, sent with the records, listed
 * by `clmrs-server audit`, and sent to no other device. */
static void
test_audit (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *person = query_text (f->a, "SELECT id FROM facilitators WHERE role = 'facilitator' "
                                              "ORDER BY created, rowid LIMIT 1");
  g_autofree char *pin = clmrs_demo_facilitator_pin (0);
  g_autofree char *household = query_text (f->a, "SELECT id FROM households ORDER BY id LIMIT 1");
  g_autofree char *name = query_text (f->a, "SELECT head_name FROM households ORDER BY id LIMIT 1");
  g_autofree char *a_server = query_text (f->a, "SELECT value FROM meta WHERE key = 'server_device_id'");
  g_autofree char *out = NULL;
  g_autofree char *json = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  ClmrsSyncReport report;

  {
    g_autoptr(ClmrsStore) store = clmrs_store_open (f->a, &error);
    g_autoptr(GPtrArray) entries = NULL;

    g_assert_no_error (error);
    g_assert_false (clmrs_audit_sign_in (store, person, "000000", &error));
    g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_PIN);
    g_clear_error (&error);
    g_assert_null (clmrs_store_get_actor (store));
    g_assert_true (clmrs_audit_sign_in (store, person, pin, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (clmrs_store_get_actor (store), ==, person);
    clmrs_audit_open (store, "household", household);
    g_assert_true (clmrs_audit_sign_out (store, TRUE, &error));
    g_assert_no_error (error);
    g_assert_null (clmrs_store_get_actor (store));
    /* nobody signed in: nothing is noted */
    clmrs_audit_open (store, "household", household);

    entries = clmrs_audit_list (store, 10, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (entries->len, >=, 4);   /* the demo's reviews are in it too */
    g_assert_cmpstr (((ClmrsAuditEntry *) entries->pdata[0])->action, ==, "locked");
    g_assert_cmpstr (((ClmrsAuditEntry *) entries->pdata[1])->action, ==, "open_household");
    g_assert_cmpstr (((ClmrsAuditEntry *) entries->pdata[1])->subject_id, ==, household);
    g_assert_cmpstr (((ClmrsAuditEntry *) entries->pdata[2])->action, ==, "sign_in");
    g_assert_cmpstr (((ClmrsAuditEntry *) entries->pdata[3])->action, ==, "wrong_pin");
  }
  sync_ok (f, f->a, &report);
  g_assert_cmpuint (report.stored, ==, 4);
  g_assert_cmpuint (report.rejected, ==, 0);

  out = sync_test_run_ok (sync_test_server_program (), "audit", "--db", f->server_db, NULL);
  g_test_message ("%s", out);
  expected = g_strdup_printf ("\t%s\t%s\topen_household\thousehold\t%s\t-\n", a_server, person, household);
  g_assert_nonnull (strstr (out, expected));
  g_assert_nonnull (strstr (out, "\twrong_pin\t"));
  g_assert_nonnull (strstr (out, "\tsign_in\t"));
  g_assert_nonnull (strstr (out, "\tlocked\t"));
  /* ids, never names */
  g_assert_null (strstr (out, name));
  json = sync_test_run_ok (sync_test_server_program (), "audit", "--db", f->server_db, "--person", person,
                           "--json", NULL);
  g_assert_nonnull (strstr (json, "\"action\":\"open_household\""));

  /* B receives none of A's trail */
  sync_ok (f, f->b, &report);
  g_assert_cmpuint (report.set_aside, ==, 0);
  g_assert_cmpint (sync_test_device_count (f->b, "SELECT count (*) FROM audit"), ==, 0);
}

/* Whether the bytes of @path hold @needle (no file: no). */
static gboolean
file_holds (const char *path,
            const char *needle)
{
  g_autofree char *bytes = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &bytes, &length, NULL))
    return FALSE;
  for (gsize i = 0; i + strlen (needle) <= length; i++)
    if (memcmp (bytes + i, needle, strlen (needle)) == 0)
      return TRUE;
  return FALSE;
}

/* 8. A lost handheld revoked with --wipe erases its data at its next
 * contact: no record, draft, queued envelope, person or token is left,
 * in the database or its WAL; the log says who ordered it and why. */
static void
test_wipe (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *a_server = query_text (f->a, "SELECT value FROM meta WHERE key = 'server_device_id'");
  g_autofree char *name = query_text (f->a, "SELECT head_name FROM households ORDER BY id LIMIT 1");
  g_autofree char *token = query_text (f->a, "SELECT value FROM meta WHERE key = 'sync_token'");
  g_autofree char *device_id = query_text (f->a, "SELECT value FROM meta WHERE key = 'device_id'");
  g_autofree char *wal = g_strconcat (f->a, "-wal", NULL);
  g_autofree char *out = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  const char *tables[] = { "households", "children", "visits", "answers", "assessments", "supports",
                           "reviews", "cases", "outbox", "facilitators", "communities", "audit" };

  g_assert_true (file_holds (f->a, name) || file_holds (wal, name));
  out = sync_test_run_ok (sync_test_server_program (), "revoke-device", "--db", f->server_db, "--wipe",
                          "--reason", "handheld stolen in Kragui, 2026-12-06", a_server, NULL);
  g_assert_nonnull (strstr (out, "erases its data at its next contact"));
  {
    g_autoptr(ClmrsStore) store = clmrs_store_open (f->a, &error);
    ClmrsSyncConfig config = { .server_url = f->server.url, .backoff_ms = 20 };
    ClmrsSyncReport report;

    g_assert_no_error (error);
    g_assert_false (clmrs_sync_run (store, &config, NULL, NULL, NULL, &report, &error));
    g_assert_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_WIPED);
  }
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM %s", tables[i]);

      g_assert_cmpint (sync_test_device_count (f->a, sql), ==, 0);
    }
  after = query_text (f->a, "SELECT group_concat (key) FROM (SELECT key FROM meta ORDER BY key)");
  g_assert_cmpstr (after, ==, "created,device_id,wiped");
  g_assert_false (file_holds (f->a, name));
  g_assert_false (file_holds (wal, name));
  g_assert_false (file_holds (f->a, token));
  g_clear_pointer (&out, g_free);
  out = sync_test_run_ok (sync_test_server_program (), "admin-log", "--db", f->server_db, NULL);
  g_assert_nonnull (strstr (out, "\trevoke-and-wipe\t"));
  g_assert_nonnull (strstr (out, "handheld stolen in Kragui"));
  g_assert_nonnull (device_id);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("CLMRS_TODAY", "2026-07-01", TRUE);

  g_test_add ("/trust/poison-record", Fixture, NULL, fixture_setup, test_poison_record, fixture_teardown);
  g_test_add ("/trust/overwrite", Fixture, NULL, fixture_setup, test_overwrite, fixture_teardown);
  g_test_add_func ("/trust/server-migration", test_server_migration);
  g_test_add ("/trust/re-enrol", Fixture, NULL, fixture_setup, test_reenrol, fixture_teardown);
  g_test_add ("/trust/audit", Fixture, NULL, fixture_setup, test_audit, fixture_teardown);
  g_test_add ("/trust/wipe", Fixture, NULL, fixture_setup, test_wipe, fixture_teardown);
  g_test_add ("/trust/unpromoted-review-rejected", Fixture, NULL, fixture_setup, test_unpromoted_review,
              fixture_teardown);
  g_test_add ("/trust/people-reach-devices", Fixture, NULL, fixture_setup, test_people_reach_devices,
              fixture_teardown);
  return g_test_run ();
}
