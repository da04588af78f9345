/* test-at-rest.c: a real device's files, copied, give no child's name, no household's, and no sync token without a PIN. */
#define _GNU_SOURCE   /* memmem */
#include "sync-harness.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "cryptvfs.h"
#include "demo.h"
#include "device.h"
#include "pin.h"
#include "store.h"

typedef struct {
  char           *dir;
  char           *server_db;
  SyncTestServer  server;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = sync_test_make_dir ();
  f->server_db = g_build_filename (f->dir, "server.db", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->server.process != NULL)
    sync_test_server_stop (&f->server, FALSE);
  sync_test_server_clear (&f->server);
  sync_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->server_db);
}

/* The first column of every row of @sql on @db (its key held). */
static GPtrArray *
column (const char *db,
        const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) store = clmrs_store_open (db, &error);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;

  g_assert_no_error (error);
  stmt = clmrs_store_prepare (store, sql, &error);
  g_assert_no_error (error);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (out, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  return out;
}

/* The names that identify a household or a child on @db: the heads of
 * households and the children, at least 20 of each; not those that are
 * also a staff member's (the keyring holds staff names by design). */
static GPtrArray *
known_names (const char *db)
{
  g_autoptr(GPtrArray) heads = column (db, "SELECT DISTINCT head_name FROM households WHERE length (head_name) >= 6"
                                             " AND head_name NOT IN (SELECT name FROM facilitators) LIMIT 40");
  g_autoptr(GPtrArray) children = column (db, "SELECT DISTINCT name FROM children WHERE length (name) >= 6"
                                                " AND name NOT IN (SELECT name FROM facilitators) LIMIT 40");
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  g_assert_cmpuint (heads->len, >=, 20);
  g_assert_cmpuint (children->len, >=, 20);
  for (guint i = 0; i < heads->len; i++)
    g_ptr_array_add (names, g_strdup (g_ptr_array_index (heads, i)));
  for (guint i = 0; i < children->len; i++)
    g_ptr_array_add (names, g_strdup (g_ptr_array_index (children, i)));
  return names;
}

/* How many of @needles occur, byte for byte, in the files @db, its WAL,
 * its -shm and its keyring (`grep -a -c` on each); each file that exists
 * is reported.  @n_files counts the files read. */
static guint
count_in_files (const char  *db,
                GPtrArray   *needles,
                guint       *n_files)
{
  static const char *const suffixes[] = { "", "-wal", "-shm", ".keyring" };
  guint found = 0;

  *n_files = 0;
  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (db, suffixes[i], NULL);
      g_autofree char *bytes = NULL;
      gsize length = 0;

      if (!g_file_get_contents (path, &bytes, &length, NULL))
        continue;
      (*n_files)++;
      for (guint n = 0; n < needles->len; n++)
        {
          const char *needle = g_ptr_array_index (needles, n);

          if (memmem (bytes, length, needle, strlen (needle)) != NULL)
            {
              g_test_message ("found '%s' in %s", needle, path);
              found++;
            }
        }
      g_test_message ("%s: %" G_GSIZE_FORMAT " bytes searched", path, length);
    }
  return found;
}

/* The demo device the issue asks for, made by the real CLI: `clmrs demo`,
 * then enrolled and synced (the token is in its meta); a connection left
 * open with a transaction in the WAL.  Neither a name nor the token is in
 * any of its files; on a plain store made the same way, the same search
 * finds them (so it can find them). */
static void
test_demo_device_files (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *device = g_build_filename (f->dir, "device.db", NULL);
  g_autofree char *plain = g_build_filename (f->dir, "plain.db", NULL);
  g_autofree char *log = g_build_filename (f->dir, "server.log", NULL);
  g_autofree char *code = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) token = NULL;
  g_autoptr(GPtrArray) secrets = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  guint n_files;

  g_free (sync_test_run_ok (sync_test_cli (), "--db", device, "demo", "--households", "60", "--seed", "4",
                            "--until", "2026-06-30", NULL));
  g_assert_true (clmrs_cryptvfs_is_encrypted (device));
  sync_test_sign_in_demo (device);
  code = sync_test_enrol_code (f->server_db, "all");
  sync_test_server_start (&f->server, f->server_db, log, NULL);
  g_free (sync_test_run_ok (sync_test_cli (), "--db", device, "enroll", "--server", f->server.url, "--code", code, NULL));
  g_free (sync_test_run_ok (sync_test_cli (), "--db", device, "sync", NULL));

  names = known_names (device);
  token = column (device, "SELECT value FROM meta WHERE key = 'sync_token'");
  g_assert_cmpuint (token->len, ==, 1);
  g_assert_cmpuint (strlen (g_ptr_array_index (token, 0)), >=, 20);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (secrets, g_ptr_array_index (names, i));
  g_ptr_array_add (secrets, g_ptr_array_index (token, 0));

  /* closed: the main file and the keyring */
  g_assert_cmpuint (count_in_files (device, secrets, &n_files), ==, 0);
  g_assert_cmpuint (n_files, >=, 2);

  /* open, with a transaction in the WAL and its index */
  {
    g_autoptr(ClmrsStore) store = clmrs_store_open (device, &error);
    g_autofree char *wal = g_strconcat (device, "-wal", NULL);

    g_assert_no_error (error);
    /* pages that hold names and the token, rewritten (SQLite skips a
       row written with the same bytes) */
    g_assert_true (clmrs_store_exec (store, "PRAGMA wal_autocheckpoint = 0;"
                                            "UPDATE households SET modified = modified || ' ';"
                                            "INSERT INTO meta (key, value) SELECT 'probe', value FROM meta"
                                            " WHERE key = 'sync_token';", &error));
    g_assert_no_error (error);
    g_assert_true (g_file_test (wal, G_FILE_TEST_IS_REGULAR));
    {
      GStatBuf st;

      g_assert_cmpint (g_stat (wal, &st), ==, 0);
      g_test_message ("WAL: %ld bytes", (long) st.st_size);
      g_assert_cmpint (st.st_size, >, 0);
    }
    g_assert_cmpuint (count_in_files (device, secrets, &n_files), ==, 0);
    g_assert_cmpuint (n_files, ==, 4);
  }

  /* the control: a plain store with the same demo shows them all */
  {
    g_autoptr(ClmrsStore) store = clmrs_store_open (plain, &error);
    ClmrsDemoOptions options = { .households = 60, .seed = 4, .until = "2026-06-30" };
    ClmrsDemoReport report;
    g_autoptr(GPtrArray) plain_names = NULL;

    g_assert_no_error (error);
    g_assert_false (clmrs_cryptvfs_is_encrypted (plain));
    g_assert_true (clmrs_demo_generate (store, &options, &report, &error));
    g_assert_no_error (error);
    g_assert_true (clmrs_store_set_meta (store, "sync_token", g_ptr_array_index (token, 0), &error));
    g_clear_pointer (&store, clmrs_store_close);
    plain_names = known_names (plain);
    g_ptr_array_add (plain_names, g_strdup (g_ptr_array_index (token, 0)));
    g_assert_cmpuint (count_in_files (plain, plain_names, &n_files), ==, plain_names->len);
  }
}

/* The files copied elsewhere: SQLite cannot read them, the CLI refuses
 * them without a PIN and with a wrong one, and the token cannot be taken
 * out of them to sync with. */
static void
test_copied_files (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *device = g_build_filename (f->dir, "device.db", NULL);
  g_autofree char *copy_dir = g_build_filename (f->dir, "copy", NULL);
  g_autofree char *copy = g_build_filename (copy_dir, "device.db", NULL);
  g_autofree char *out = NULL;
  sqlite3 *db = NULL;
  int rc;

  g_free (sync_test_run_ok (sync_test_cli (), "--db", device, "demo", "--households", "10", "--seed", "2",
                            "--until", "2026-06-30", NULL));
  g_assert_cmpint (g_mkdir (copy_dir, 0700), ==, 0);
  for (const char *const *s = (const char *[]) { "", ".keyring", NULL }; *s; s++)
    {
      g_autofree char *from = g_strconcat (device, *s, NULL);
      g_autofree char *to = g_strconcat (copy, *s, NULL);
      g_autofree char *bytes = NULL;
      gsize length;

      g_assert_true (g_file_get_contents (from, &bytes, &length, NULL));
      g_assert_true (g_file_set_contents (to, bytes, (gssize) length, NULL));
    }

  /* SQLite itself: not a database */
  g_assert_cmpint (sqlite3_open_v2 (copy, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  rc = sqlite3_exec (db, "SELECT value FROM meta", NULL, NULL, NULL);
  g_assert_cmpint (rc, ==, SQLITE_NOTADB);
  sqlite3_close (db);

  /* the CLI: not without a PIN, not with a wrong one */
  g_assert_cmpint (sync_test_run (&out, sync_test_cli (), "--db", copy, "export", "--ndjson", NULL), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) people = clmrs_device_list_people (copy, &error);
    const char *id;

    g_assert_no_error (error);
    id = ((ClmrsKeyringPerson *) g_ptr_array_index (people, 0))->person_id;
    g_assert_null (clmrs_device_sign_in (copy, id, "999998", NULL, &error));
    g_assert_error (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_WRONG_PIN);
    g_clear_error (&error);
    /* and the library without the key: locked */
    g_assert_null (clmrs_store_open (copy, &error));
    g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_LOCKED);
    g_clear_error (&error);
    /* the PIN is what opens it */
    {
      g_autoptr(ClmrsStore) store = clmrs_device_sign_in (copy, id, CLMRS_DEMO_SUPERVISOR_PIN, NULL, &error);

      g_assert_no_error (error);
      g_assert_true (clmrs_demo_store_is_demo (store));
    }
    clmrs_device_sign_out (copy);
  }
}

/* A plain device database (made before encryption) is encrypted at the
 * first sign-in through the CLI, with the person's PIN; afterwards no
 * name is in its files, and the person signs in with the same PIN. */
static void
test_migrate_plain (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *device = g_build_filename (f->dir, "old.db", NULL);
  g_autofree char *supervisor = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GError) error = NULL;
  guint n_files;

  {
    g_autoptr(ClmrsStore) store = clmrs_store_open (device, &error);
    ClmrsDemoOptions options = { .households = 40, .seed = 9, .until = "2026-06-30" };
    ClmrsDemoReport report;
    g_autoptr(GPtrArray) people = NULL;

    g_assert_no_error (error);
    g_assert_true (clmrs_demo_generate (store, &options, &report, &error));
    g_assert_no_error (error);
    people = clmrs_device_demo_people (store, &error);
    g_assert_no_error (error);
    supervisor = g_strdup (((char **) g_ptr_array_index (people, 0))[0]);
  }
  names = known_names (device);
  g_assert_cmpuint (count_in_files (device, names, &n_files), ==, names->len);

  /* without a PIN: refused, and it says how to encrypt it */
  g_assert_cmpint (sync_test_run (&out, sync_test_cli (), "--db", device, "due", NULL), ==, 1);
  g_clear_pointer (&out, g_free);
  g_assert_false (clmrs_cryptvfs_is_encrypted (device));

  /* a wrong old PIN: refused, left plain */
  sync_test_sign_in_plain (device, supervisor, "999990");
  g_assert_cmpint (sync_test_run (&out, sync_test_cli (), "--db", device, "due", NULL), ==, 1);
  g_clear_pointer (&out, g_free);
  g_assert_false (clmrs_cryptvfs_is_encrypted (device));
  g_assert_false (clmrs_device_has_keyring (device));

  /* the right one: encrypted, and the command ran */
  sync_test_sign_in_plain (device, supervisor, CLMRS_DEMO_SUPERVISOR_PIN);
  g_assert_cmpint (sync_test_run (&out, sync_test_cli (), "--db", device, "due", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "household"));
  g_assert_true (clmrs_cryptvfs_is_encrypted (device));
  g_assert_true (clmrs_device_has_keyring (device));
  {
    g_autofree char *plain_old = g_strconcat (device, ".plain-old", NULL);

    g_assert_false (g_file_test (plain_old, G_FILE_TEST_EXISTS));
  }
  g_assert_cmpuint (count_in_files (device, names, &n_files), ==, 0);

  /* and opens with the same PIN from now on */
  sync_test_sign_in (device, supervisor, CLMRS_DEMO_SUPERVISOR_PIN);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (sync_test_run (&out, sync_test_cli (), "--db", device, "queue", NULL), ==, 0);
}

/* A colleague arrives (from the server, with a one-time PIN, or without
 * one): someone signed in adds them with `clmrs add-person`, checking the
 * one-time PIN; then they sign in with the PIN they chose. */
static void
test_add_person (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *device = g_build_filename (f->dir, "device.db", NULL);
  g_autofree char *awa = NULL;
  g_autofree char *kofi = g_strdup ("0b5d3c1e-6a51-4d07-9a8e-1c2f3e4d5a6b");
  g_autofree char *ama = g_strdup ("7e2a9c44-1f0b-4c1d-8b3a-5d6e7f8a9b0c");
  g_autofree char *one_time_hash = clmrs_pin_hash ("482915", NULL);
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;

  sync_test_init_ok (device, "730591\n", "--community", "Kragui", "--country", "ci",
                     "--facilitator", "Awa Koné,female", NULL);
  {
    g_autoptr(GPtrArray) people = clmrs_device_list_people (device, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (people->len, ==, 1);
    awa = g_strdup (((ClmrsKeyringPerson *) g_ptr_array_index (people, 0))->person_id);
  }
  sync_test_sign_in (device, awa, "730591");
  /* the server's people arrive: Kofi with no PIN, Ama with a one-time PIN */
  {
    g_autoptr(ClmrsStore) store = clmrs_store_open (device, &error);
    g_autofree char *json = g_strdup_printf ("[{\"id\":\"%s\",\"name\":\"Kofi Mensah\",\"sex\":\"male\",\"role\":\"facilitator\"},"
                                             "{\"id\":\"%s\",\"name\":\"Ama Owusu\",\"sex\":\"female\",\"role\":\"supervisor\","
                                             "\"one_time_pin_hash\":\"%s\"}]", kofi, ama, one_time_hash);
    g_autoptr(JsonNode) node = json_from_string (json, &error);

    g_assert_no_error (error);
    g_assert_true (clmrs_store_apply_people (store, json_node_get_array (node), NULL, &error));
    g_assert_no_error (error);
  }
  /* not in the keyring yet: they cannot sign in */
  g_assert_cmpint (sync_test_run (&out, sync_test_cli (), "--db", device, "people", NULL), ==, 0);
  g_assert_null (strstr (out, "Kofi"));
  g_clear_pointer (&out, g_free);

  /* Kofi: Awa signs in, Kofi chooses 604918 */
  sync_test_set_pins (device, "730591\n604918\n");
  g_assert_cmpint (sync_test_run (&out, sync_test_cli (), "--db", device, "add-person", kofi, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  /* Ama: a wrong one-time PIN is refused, the right one lets her choose */
  sync_test_set_pins (device, "730591\n482916\n518273\n");
  g_assert_cmpint (sync_test_run (&out, sync_test_cli (), "--db", device, "add-person", ama, NULL), ==, 3);
  g_clear_pointer (&out, g_free);
  sync_test_set_pins (device, "730591\n482915\n518273\n");
  g_assert_cmpint (sync_test_run (&out, sync_test_cli (), "--db", device, "add-person", ama, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  /* a weak PIN is refused */
  sync_test_set_pins (device, "730591\n111111\n");
  g_assert_cmpint (sync_test_run (&out, sync_test_cli (), "--db", device, "add-person", kofi, NULL), ==, 3);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (sync_test_run (&out, sync_test_cli (), "--db", device, "people", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Kofi Mensah"));
  g_assert_nonnull (strstr (out, "Ama Owusu"));
  g_clear_pointer (&out, g_free);
  /* each signs in with their own PIN */
  sync_test_sign_in (device, kofi, "604918");
  g_assert_cmpint (sync_test_run (&out, sync_test_cli (), "--db", device, "queue", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  sync_test_sign_in (device, ama, "518273");
  g_assert_cmpint (sync_test_run (&out, sync_test_cli (), "--db", device, "queue", NULL), ==, 0);
}

/* Recovery: `clmrs-server recovery-keygen` makes the pair (the secret to
 * a file, never the server's database); the server gives its public key
 * at enrolment; a device enrolled new is sealed to it at once, one set up
 * offline (sealed to the shipped key) at its first sign-in after enrolment;
 * `clmrs recover` with the secret key gives a person a new PIN, with any
 * other key nothing. */
static void
test_recovery (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *pub = g_build_filename (f->dir, "recovery.pub", NULL);
  g_autofree char *sec = g_build_filename (f->dir, "recovery.secret", NULL);
  g_autofree char *other_pub = g_build_filename (f->dir, "other.pub", NULL);
  g_autofree char *other_sec = g_build_filename (f->dir, "other.secret", NULL);
  g_autofree char *log = g_build_filename (f->dir, "server.log", NULL);
  g_autofree char *fresh = g_build_filename (f->dir, "fresh.db", NULL);
  g_autofree char *offline = g_build_filename (f->dir, "offline.db", NULL);
  g_autofree char *person = NULL;
  g_autofree char *awa = NULL;
  g_autofree char *out = NULL;
  const char *extra[] = { "--recovery-key", pub, NULL };
  GStatBuf st;

  g_free (sync_test_run_ok (sync_test_server_program (), "recovery-keygen", "--public", pub, "--secret", sec, NULL));
  g_free (sync_test_run_ok (sync_test_server_program (), "recovery-keygen", "--public", other_pub, "--secret", other_sec, NULL));
  g_assert_cmpint (g_stat (sec, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  /* a key is never overwritten */
  g_assert_cmpint (sync_test_run (&out, sync_test_server_program (), "recovery-keygen", "--public", pub,
                                  "--secret", sec, NULL), ==, 2);
  g_clear_pointer (&out, g_free);

  person = sync_test_add_person (f->server_db, NULL, "facilitator", "all");
  sync_test_server_start (&f->server, f->server_db, log, extra);
  {
    /* the server's database holds no secret key */
    g_autofree char *secret = NULL;
    g_autofree char *db_bytes = NULL;
    gsize length;

    g_assert_true (g_file_get_contents (sec, &secret, NULL, NULL));
    g_assert_true (g_file_get_contents (f->server_db, &db_bytes, &length, NULL));
    g_assert_null (memmem (db_bytes, length, g_strstrip (secret), strlen (secret)));
  }

  /* a new device enrolled by `person`, who chooses a PIN */
  {
    g_autofree char *code = sync_test_enrol_code (f->server_db, "all");

    sync_test_sign_in_plain (fresh, person, "604918");
    g_free (sync_test_run_ok (sync_test_cli (), "--db", fresh, "enroll", "--server", f->server.url,
                              "--code", code, NULL));
    g_assert_true (clmrs_cryptvfs_is_encrypted (fresh));
  }
  /* another key opens nothing; the server's gives a new PIN */
  sync_test_set_pins (fresh, "715208\n");
  g_assert_cmpint (sync_test_run (&out, sync_test_cli (), "--db", fresh, "recover", "--server-key", other_sec,
                                  person, NULL), ==, 3);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (sync_test_run (&out, sync_test_cli (), "--db", fresh, "recover", "--server-key", sec,
                                  person, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  sync_test_sign_in (fresh, person, "715208");
  g_assert_cmpint (sync_test_run (&out, sync_test_cli (), "--db", fresh, "queue", NULL), ==, 0);
  g_clear_pointer (&out, g_free);

  /* set up offline, then enrolled: sealed to the server's key once signed in */
  sync_test_init_ok (offline, "730591\n", "--community", "Kragui", "--country", "ci",
                     "--facilitator", "Awa Koné,female", NULL);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) people = clmrs_device_list_people (offline, &error);

    g_assert_no_error (error);
    awa = g_strdup (((ClmrsKeyringPerson *) g_ptr_array_index (people, 0))->person_id);
  }
  sync_test_sign_in (offline, awa, "730591");
  sync_test_set_pins (offline, "382916\n");
  g_assert_cmpint (sync_test_run (&out, sync_test_cli (), "--db", offline, "recover", "--server-key", sec,
                                  awa, NULL), ==, 3);
  g_clear_pointer (&out, g_free);
  {
    g_autofree char *code = sync_test_enrol_code (f->server_db, "all");

    sync_test_set_pins (offline, "730591\n");
    g_free (sync_test_run_ok (sync_test_cli (), "--db", offline, "enroll", "--server", f->server.url,
                              "--code", code, NULL));
  }
  g_free (sync_test_run_ok (sync_test_cli (), "--db", offline, "queue", NULL));
  sync_test_set_pins (offline, "382916\n");
  g_assert_cmpint (sync_test_run (&out, sync_test_cli (), "--db", offline, "recover", "--server-key", sec,
                                  awa, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  sync_test_sign_in (offline, awa, "382916");
}

/* `clmrs-server people add --one-time-pin`: the person (PIN, id). */
static char *
add_person_one_time (const char  *server_db,
                     const char  *name,
                     char       **pin)
{
  g_autofree char *out = sync_test_run_ok (sync_test_server_program (), "people", "add", "--db", server_db,
                                           "--name", name, "--sex", "male", "--role", "facilitator",
                                           "--communities", "all", "--one-time-pin", NULL);
  g_auto(GStrv) lines = g_strsplit (g_strstrip (out), "\n", -1);
  const char *said = strstr (lines[0], ": ");

  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_assert_nonnull (said);
  *pin = g_strdup (said + 2);
  g_assert_cmpuint (strlen (*pin), ==, 6);
  return g_strdup (lines[1]);
}

/* `clmrs --person WHO queue` on @db with @pins on --pin-fd: its exit status and stderr. */
static int
queue_as (const char  *db,
          const char  *who,
          const char  *pins,
          char       **err)
{
  g_autofree char *out = NULL;

  sync_test_sign_in_plain (db, who, "");
  sync_test_set_pins (db, pins);
  return sync_test_run_full (&out, err, sync_test_cli (), "--db", db, "queue", NULL);
}

/* The first sign-in of someone the server gave a one-time PIN, on a device
 * where nobody adds them: listed by `clmrs people` once the device synced
 * (which also wrapped its key with the server's unlock secret, a secret
 * the keyring does not hold), a weak new PIN refused before the server is
 * asked, a wrong one-time PIN refused by the server, the right one opens
 * the device and they choose their PIN; spent, it opens no other device;
 * ten wrong cancel a one-time PIN on the server. */
static void
test_first_sign_in (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *log = g_build_filename (f->dir, "server.log", NULL);
  g_autofree char *device = g_build_filename (f->dir, "device.db", NULL);
  g_autofree char *other = g_build_filename (f->dir, "other.db", NULL);
  g_autofree char *keyring = g_build_filename (f->dir, "device.db.keyring", NULL);
  g_autofree char *enroller = sync_test_add_person (f->server_db, NULL, "supervisor", "all");
  g_autofree char *kofi_pin = NULL, *yaw_pin = NULL;
  g_autofree char *kofi = add_person_one_time (f->server_db, "Kofi Asante", &kofi_pin);
  g_autofree char *yaw = add_person_one_time (f->server_db, "Yaw Boadu", &yaw_pin);
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *wrong_pin = g_strdup_printf ("%06d", (atoi (kofi_pin) + 1) % 1000000);
  g_autofree char *lines = NULL;

  sync_test_server_start (&f->server, f->server_db, log, NULL);
  for (const char *const *db = (const char *[]) { device, other, NULL }; *db != NULL; db++)
    {
      g_autofree char *code = sync_test_enrol_code (f->server_db, "all");

      sync_test_sign_in_plain (*db, enroller, "604918");
      g_free (sync_test_run_ok (sync_test_cli (), "--db", *db, "enroll", "--server", f->server.url,
                                "--code", code, NULL));
      /* enrolled, not synced yet: nobody may sign in with a one-time PIN */
      g_assert_cmpint (queue_as (*db, kofi, "", &err), !=, 0);
      g_clear_pointer (&err, g_free);
      sync_test_sign_in_plain (*db, enroller, "604918");
      g_free (sync_test_run_ok (sync_test_cli (), "--db", *db, "sync", NULL));
    }
  g_assert_cmpint (sync_test_run (&out, sync_test_cli (), "--db", device, "people", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Kofi Asante"));
  g_assert_nonnull (strstr (out, "first sign-in: the one-time PIN"));
  g_clear_pointer (&out, g_free);
  /* the keyring holds the key wrapped with the server's secret, never the secret */
  {
    g_autofree char *bytes = NULL;
    gsize length;

    g_assert_true (g_file_get_contents (keyring, &bytes, &length, NULL));
    for (guint n = 0; n < 3; n++)
      {
        g_autofree char *sql = g_strdup_printf ("SELECT %s FROM device_unlock ORDER BY device_id LIMIT 1 OFFSET %u",
                                                sync_test_server_on_postgres () ? "upper (encode (secret, 'hex'))"
                                                                                : "hex (secret)", n);
        g_autofree char *hex = sync_test_server_query (f->server_db, sql);
        guint8 secret[32];

        /* one secret for each of the two devices */
        if (n == 2)
          {
            g_assert_null (hex);
            break;
          }
        g_assert_nonnull (hex);
        g_assert_cmpuint (strlen (hex), ==, 64);
        for (guint i = 0; i < 32; i++)
          secret[i] = (guint8) (g_ascii_xdigit_value (hex[2 * i]) * 16 + g_ascii_xdigit_value (hex[2 * i + 1]));
        g_assert_null (memmem (bytes, length, secret, sizeof secret));
      }
  }

  /* a weak PIN is refused before the server spends anything */
  g_assert_cmpint (queue_as (device, kofi, (lines = g_strdup_printf ("%s\n111111\n", kofi_pin)), &err), !=, 0);
  g_assert_nonnull (strstr (err, "too easy to guess"));
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&lines, g_free);
  /* a wrong one-time PIN: the server says no */
  g_assert_cmpint (queue_as (device, kofi, (lines = g_strdup_printf ("%s\n518273\n", wrong_pin)), &err), !=, 0);
  g_assert_nonnull (strstr (err, "wrong one-time PIN"));
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&lines, g_free);
  /* the right one: signed in, with the PIN chosen */
  g_assert_cmpint (queue_as (device, kofi, (lines = g_strdup_printf ("%s\n518273\n", kofi_pin)), &err), ==, 0);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&lines, g_free);
  g_assert_cmpint (queue_as (device, kofi, "518273\n", &err), ==, 0);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sync_test_run (&out, sync_test_cli (), "--db", device, "people", NULL), ==, 0);
  {
    g_autofree char *kofi_line = g_strdup_printf ("%s  Kofi Asante", kofi);
    const char *start = strstr (out, kofi_line);
    g_autofree char *line = start != NULL ? g_strndup (start, strcspn (start, "\n")) : NULL;

    g_assert_nonnull (line);
    g_assert_true (g_str_has_suffix (line, "  can sign in"));
  }
  g_clear_pointer (&out, g_free);
  /* spent on the server: the other device, which still lists Kofi, gets nothing for it */
  g_assert_cmpint (queue_as (other, kofi, (lines = g_strdup_printf ("%s\n629384\n", kofi_pin)), &err), !=, 0);
  g_assert_nonnull (strstr (err, "no one-time PIN waits"));
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&lines, g_free);
  {
    g_autofree char *listed = sync_test_run_ok (sync_test_server_program (), "admin-log", "--db", f->server_db, NULL);

    g_assert_nonnull (strstr (listed, "one-time-pin-used"));
  }

  /* ten wrong one-time PINs cancel Yaw's, even the right one is refused then */
  g_free (wrong_pin);
  wrong_pin = g_strdup_printf ("%06d", (atoi (yaw_pin) + 1) % 1000000);
  for (guint i = 0; i < 10; i++)
    {
      g_assert_cmpint (queue_as (other, yaw, (lines = g_strdup_printf ("%s\n629384\n", wrong_pin)), &err), !=, 0);
      g_assert_nonnull (strstr (err, i < 9 ? "wrong one-time PIN" : "it is cancelled"));
      g_clear_pointer (&err, g_free);
      g_clear_pointer (&lines, g_free);
    }
  g_assert_cmpint (queue_as (other, yaw, (lines = g_strdup_printf ("%s\n629384\n", yaw_pin)), &err), !=, 0);
  g_assert_nonnull (strstr (err, "no one-time PIN waits"));
}

/* `clmrs --db DB export --ndjson` as whoever signs in on @db: its lines. */
static guint
n_exported (const char *db)
{
  g_autofree char *out = sync_test_run_ok (sync_test_cli (), "--db", db, "export", "--ndjson", NULL);
  guint n = 0;

  for (const char *p = out; (p = strchr (p, '\n')) != NULL; p++)
    n++;
  return n;
}

/* The keyring's recovery copy of the key. */
static GBytes *
recovery_sealed (const char *keyring)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  GBytes *bytes;

  g_assert_cmpint (sqlite3_open_v2 (keyring, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT recovery_sealed FROM keyring", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  bytes = g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return bytes;
}

static void
copy_file (const char *from,
           const char *to)
{
  g_autofree char *bytes = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (from, &bytes, &length, NULL));
  g_assert_true (g_file_set_contents (to, bytes, length, NULL));
}

/* `clmrs rekey` with CLMRS_TEST_REKEY_CRASH=@crash (NULL: none): its status. */
static int
rekey (const char *db,
       const char *crash)
{
  g_autofree char *out = NULL;
  int status;

  if (crash != NULL)
    g_setenv ("CLMRS_TEST_REKEY_CRASH", crash, TRUE);
  status = sync_test_run (&out, sync_test_cli (), "--db", db, "rekey", NULL);
  g_unsetenv ("CLMRS_TEST_REKEY_CRASH");
  return status;
}

/* Whether the keyring file @keyring, with the PIN of @person_id, gives a
 * key that opens the database @db. */
static gboolean
keyring_opens (const char *keyring,
               const char *person_id,
               const char *pin,
               const char *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsKeyring) ring = clmrs_keyring_open (keyring, &error);
  g_autoptr(ClmrsDataKey) key = NULL;
  sqlite3 *handle;

  g_assert_no_error (error);
  key = clmrs_keyring_unlock (ring, person_id, pin, &error);
  g_assert_no_error (error);
  handle = clmrs_cryptvfs_open (db, clmrs_data_key_get_bytes (key), SQLITE_OPEN_READWRITE, &error);
  if (handle == NULL)
    {
      g_assert_error (error, CLMRS_CRYPTVFS_ERROR, CLMRS_CRYPTVFS_ERROR_WRONG_KEY);
      return FALSE;
    }
  sqlite3_close (handle);
  return TRUE;
}

/* `clmrs rekey`: killed before its commit, the old key still opens the
 * database, which is whole, and the copies are gone at the next sign-in;
 * killed after it, the next sign-in finishes the change; run whole, the
 * same.  After a change, a keyring copied before opens nothing; every
 * person, not only the one who ran it, signs in with their own PIN (their
 * entries were resealed without their PINs); the recovery copy is new. */
static void
test_rekey (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *device = g_build_filename (f->dir, "device.db", NULL);
  g_autofree char *keyring = g_build_filename (f->dir, "device.db.keyring", NULL);
  g_autofree char *copied = g_build_filename (f->dir, "copied.keyring", NULL);
  g_autofree char *leftover = g_build_filename (f->dir, "device.db.rekey-new", NULL);
  g_autofree char *supervisor = NULL, *facilitator = NULL;
  g_autoptr(GBytes) sealed_before = NULL;
  g_autoptr(GBytes) sealed_after = NULL;
  g_autoptr(GError) error = NULL;
  guint n;

  g_free (sync_test_run_ok (sync_test_cli (), "--db", device, "demo", "--households", "60", "--seed", "5", NULL));
  sync_test_sign_in_demo (device);
  {
    g_autoptr(GPtrArray) people = clmrs_device_list_people (device, &error);

    g_assert_no_error (error);
    supervisor = g_strdup (((ClmrsKeyringPerson *) g_ptr_array_index (people, 0))->person_id);
    facilitator = g_strdup (((ClmrsKeyringPerson *) g_ptr_array_index (people, 1))->person_id);
  }
  n = n_exported (device);
  g_assert_cmpuint (n, >, 60);
  copy_file (keyring, copied);
  sealed_before = recovery_sealed (keyring);

  /* killed before the commit: the old key, the same records; the copy goes */
  g_assert_cmpint (rekey (device, "copied"), ==, 9);
  g_assert_true (g_file_test (leftover, G_FILE_TEST_EXISTS));
  g_assert_true (keyring_opens (keyring, supervisor, CLMRS_DEMO_SUPERVISOR_PIN, device));
  g_assert_cmpuint (n_exported (device), ==, n);
  g_assert_false (g_file_test (leftover, G_FILE_TEST_EXISTS));

  /* killed after it: the next sign-in finishes the change */
  g_assert_cmpint (rekey (device, "committed"), ==, 9);
  g_assert_true (g_file_test (leftover, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (n_exported (device), ==, n);
  g_assert_false (g_file_test (leftover, G_FILE_TEST_EXISTS));
  g_assert_false (keyring_opens (copied, supervisor, CLMRS_DEMO_SUPERVISOR_PIN, device));
  g_assert_true (keyring_opens (keyring, facilitator, "100000", device));
  sealed_after = recovery_sealed (keyring);
  g_assert_false (g_bytes_equal (sealed_before, sealed_after));

  /* run whole: again a key the previous keyring does not give */
  copy_file (keyring, copied);
  g_assert_cmpint (rekey (device, NULL), ==, 0);
  g_assert_false (g_file_test (leftover, G_FILE_TEST_EXISTS));
  g_assert_false (keyring_opens (copied, facilitator, "100000", device));
  g_assert_true (keyring_opens (keyring, facilitator, "100000", device));
  g_assert_cmpuint (n_exported (device), ==, n);
  sync_test_sign_in (device, facilitator, "100000");
  g_assert_cmpuint (n_exported (device), ==, n);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* the real path: no plain device database is let through here */
  g_unsetenv ("CLMRS_TEST_PLAIN_DEVICE");
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/at-rest/demo-device-files", test_demo_device_files);
  ADD ("/at-rest/copied-files", test_copied_files);
  ADD ("/at-rest/migrate-plain", test_migrate_plain);
  ADD ("/at-rest/add-person", test_add_person);
  ADD ("/at-rest/recovery", test_recovery);
  ADD ("/at-rest/first-sign-in", test_first_sign_in);
  ADD ("/at-rest/rekey", test_rekey);
  return g_test_run ();
}
