/* test-cli.c: `clmrs` as a user drives it: init, demo, queue, export, indicators, lists, errors. */
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "demo.h"
#include "device.h"
#include "store.h"

typedef struct {
  char *dir;
} Fixture;

typedef struct {
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_free (run->out);
  g_free (run->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* Runs `clmrs [--person PERSON --pin-fd 0] ARGS...` with CLMRS_TODAY
 * fixed, so dates are reproducible; @pins (lines) go to its stdin. */
static void
run_cli (Run        *run,
         const char *person,
         const char *pins,
         const char *first,
         va_list     args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_auto(GStrv) env = g_environ_setenv (g_get_environ (), "CLMRS_TODAY", "2026-06-30", TRUE);

  g_ptr_array_add (argv, (gpointer) g_getenv ("CLMRS_CLI"));
  if (person != NULL)
    {
      g_ptr_array_add (argv, (gpointer) "--person");
      g_ptr_array_add (argv, (gpointer) person);
      g_ptr_array_add (argv, (gpointer) "--pin-fd");
      g_ptr_array_add (argv, (gpointer) "0");
    }
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  g_ptr_array_add (argv, NULL);
  env = g_environ_unsetenv (env, "CLMRS_DB");
  g_subprocess_launcher_set_environ (launcher, env);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, pins ? pins : "", NULL, &run->out, &run->err, &error));
  g_assert_no_error (error);
  run->status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process)
                                                     : 128 + g_subprocess_get_term_sig (process);
}

static void
clmrs (Run *run, const char *first, ...)
{
  va_list args;

  va_start (args, first);
  run_cli (run, NULL, NULL, first, args);
  va_end (args);
}

/* `clmrs` signed in as @person (an id or a name) with @pins on --pin-fd. */
static void
clmrs_as (Run *run, const char *person, const char *pins, const char *first, ...)
{
  va_list args;

  va_start (args, first);
  run_cli (run, person, pins, first, args);
  va_end (args);
}

/* The id of the first person of `clmrs people` (the demo's supervisor, PIN 999999). */
static char *
first_person (const char *db)
{
  g_auto(Run) people = { 0 };

  clmrs (&people, "--db", db, "people", NULL);
  g_assert_cmpint (people.status, ==, 0);
  return g_strndup (people.out, 36);
}

static char *
path_in (Fixture *f, const char *name)
{
  return g_build_filename (f->dir, name, NULL);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("clmrs-cli-XXXXXX", NULL);
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  if (dir)
    g_dir_close (dir);
  g_rmdir (path);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  remove_tree (f->dir);
  g_free (f->dir);
}

static void
test_init (Fixture *f, gconstpointer data)
{
  g_autofree char *db = path_in (f, "device.db");
  g_auto(Run) ok = { 0 }, again = { 0 }, bad = { 0 }, queue = { 0 };

  /* each PIN is asked for (here on --pin-fd), in the order given, never taken from the arguments */
  clmrs_as (&ok, NULL, "482193\n", "--pin-fd", "0", "--db", db, "init", "--community", "Kragui", "--country", "ci",
            "--facilitator", "Awa Koné,female", "--supervisor", "Yao Kouassi,male", NULL);
  g_assert_cmpint (ok.status, ==, 2);
  g_assert_nonnull (strstr (ok.err, "Yao Kouassi: --pin-fd 0 ended before the PIN"));
  g_assert_false (g_file_test (db, G_FILE_TEST_EXISTS));
  run_clear (&ok);
  clmrs_as (&ok, NULL, "482193\n730591\n", "--pin-fd", "0", "--db", db, "init", "--community", "Kragui",
            "--country", "ci", "--facilitator", "Awa Koné,female", "--supervisor", "Yao Kouassi,male", NULL);
  g_assert_cmpint (ok.status, ==, 0);
  g_assert_true (g_uuid_string_is_valid (g_strstrip (ok.out)));

  /* the database is encrypted, and its keyring lists who can sign in */
  {
    g_auto(Run) locked = { 0 }, wrong = { 0 }, people = { 0 }, yao = { 0 };
    g_autofree char *keyring = path_in (f, "device.db.keyring");

    g_assert_true (g_file_test (keyring, G_FILE_TEST_IS_REGULAR));
    clmrs (&people, "--db", db, "people", NULL);
    g_assert_cmpint (people.status, ==, 0);
    g_assert_nonnull (strstr (people.out, "Awa Koné"));
    g_assert_nonnull (strstr (people.out, "Yao Kouassi"));
    clmrs (&locked, "--db", db, "queue", NULL);
    g_assert_cmpint (locked.status, ==, 1);
    g_assert_nonnull (strstr (locked.err, "is encrypted: sign in with --person"));
    clmrs_as (&wrong, "Awa Koné", "482194\n", "--db", db, "queue", NULL);
    g_assert_cmpint (wrong.status, ==, 1);
    g_assert_nonnull (strstr (wrong.err, "rong PIN"));
    g_assert_cmpstr (wrong.out, ==, "");
    clmrs_as (&yao, "Yao Kouassi", "730591\n", "--db", db, "queue", NULL);
    g_assert_cmpint (yao.status, ==, 0);
  }

  /* init on an existing database keeps it and its device id */
  clmrs_as (&again, "Awa Koné", "482193\n", "--db", db, "init", NULL);
  g_assert_cmpint (again.status, ==, 0);
  g_assert_cmpstr (g_strstrip (again.out), ==, ok.out);

  clmrs (&bad, "--db", db, "init", "--community", "X", "--country", "fr", NULL);
  g_assert_cmpint (bad.status, ==, 2);
  g_assert_nonnull (strstr (bad.err, "--country is ci or gh (got 'fr')"));

  clmrs_as (&queue, "Awa Koné", "482193\n", "--db", db, "queue", NULL);
  g_assert_cmpint (queue.status, ==, 0);
  g_assert_nonnull (strstr (queue.out, "Nothing waits"));

  /* the same options again add nothing twice */
  {
    g_auto(Run) twice = { 0 }, on_argv = { 0 }, short_pin = { 0 }, easy_pin = { 0 }, nobody = { 0 };
    g_autofree char *fresh = path_in (f, "fresh.db");

    clmrs_as (&twice, "Awa Koné", "482193\n482193\n", "--db", db, "init", "--community", "Kragui", "--country", "ci",
           "--facilitator", "Awa Koné,female", NULL);
    g_assert_cmpint (twice.status, ==, 3);
    g_assert_nonnull (strstr (twice.err, "already has a community named 'Kragui'"));

    /* arguments are checked before any database is made */
    clmrs (&on_argv, "--db", fresh, "init", "--community", "K", "--country", "gh",
           "--facilitator", "Ama Mensah,female,604918", NULL);
    g_assert_cmpint (on_argv.status, ==, 2);
    g_assert_nonnull (strstr (on_argv.err, "--facilitator Ama Mensah,female: leave the PIN out of the command line"));
    g_assert_nonnull (strstr (on_argv.err, "--pin-fd"));
    g_assert_null (strstr (on_argv.err, "604918"));
    g_assert_false (g_file_test (fresh, G_FILE_TEST_EXISTS));
    clmrs_as (&short_pin, NULL, "4821\n", "--pin-fd", "0", "--db", fresh, "init", "--community", "K", "--country", "gh",
              "--facilitator", "Ama Mensah,female", NULL);
    g_assert_cmpint (short_pin.status, ==, 2);
    g_assert_nonnull (strstr (short_pin.err, "Ama Mensah: A PIN has at least 6 digits"));
    g_assert_false (g_file_test (fresh, G_FILE_TEST_EXISTS));
    clmrs_as (&easy_pin, NULL, "123456\n", "--pin-fd", "0", "--db", fresh, "init", "--community", "K", "--country", "gh",
              "--facilitator", "Ama Mensah,female", NULL);
    g_assert_cmpint (easy_pin.status, ==, 2);
    g_assert_nonnull (strstr (easy_pin.err, "too easy to guess"));
    g_assert_false (g_file_test (fresh, G_FILE_TEST_EXISTS));
    /* a new device has someone who can sign in */
    clmrs (&nobody, "--db", fresh, "init", "--community", "K", "--country", "gh", NULL);
    g_assert_cmpint (nobody.status, ==, 2);
    g_assert_nonnull (strstr (nobody.err, "a new device needs its first person"));
    g_assert_false (g_file_test (fresh, G_FILE_TEST_EXISTS));
  }
}

static void
test_usage_errors (Fixture *f, gconstpointer data)
{
  g_autofree char *db = path_in (f, "device.db");
  g_auto(Run) unknown = { 0 }, nodb = { 0 }, badopt = { 0 }, unreadable = { 0 }, help = { 0 }, dates = { 0 };

  clmrs (&unknown, "--db", db, "frobnicate", NULL);
  g_assert_cmpint (unknown.status, ==, 2);
  g_assert_nonnull (strstr (unknown.err, "unknown command 'frobnicate'"));

  clmrs (&nodb, "queue", NULL);
  g_assert_cmpint (nodb.status, ==, 2);
  g_assert_nonnull (strstr (nodb.err, "queue needs --db"));

  clmrs (&badopt, "--db", db, "export", "--nope", NULL);
  g_assert_cmpint (badopt.status, ==, 2);
  g_assert_nonnull (strstr (badopt.err, "--nope"));

  clmrs (&unreadable, "--db", "/nonexistent-dir/x.db", "queue", NULL);
  g_assert_cmpint (unreadable.status, ==, 1);
  g_assert_nonnull (strstr (unreadable.err, "/nonexistent-dir/x.db"));

  clmrs (&help, "--help", NULL);
  g_assert_cmpint (help.status, ==, 0);
  for (const char *const *c = (const char *[]) { "init", "demo", "queue", "export", "indicators",
                                                   "classify", "forms", "due", "households", NULL }; *c; c++)
    g_assert_nonnull (strstr (help.out, *c));
  g_assert_nonnull (strstr (help.out, "Exit status"));

  clmrs (&dates, "--db", db, "indicators", "--json", "--from", "2026-05-01", "--to", "2026-01-01", NULL);
  g_assert_cmpint (dates.status, ==, 2);
  g_assert_nonnull (strstr (dates.err, "is after --to"));
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static void
test_demo_export_queue (Fixture *f, gconstpointer data)
{
  g_autofree char *a = path_in (f, "a.db");
  g_autofree char *b = path_in (f, "b.db");
  g_autofree char *csv = path_in (f, "csv");
  g_auto(Run) demo_a = { 0 }, demo_b = { 0 }, again = { 0 }, export_a = { 0 }, export_b = { 0 };
  g_autofree char *supervisor_a = NULL;
  g_autofree char *supervisor_b = NULL;
  g_auto(Run) queue = { 0 }, csv_run = { 0 }, indicators = { 0 }, due = { 0 }, households = { 0 };
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonNode) queue_json = NULL;
  g_autoptr(JsonNode) ind = NULL;
  g_autoptr(JsonNode) due_json = NULL;
  g_autofree char *facilitators = NULL;
  g_autofree char *facilitators_path = NULL;
  guint n_lines, types[8] = { 0 };
  gint64 queued;

  /* a language the demo has no messages in: refused, nothing made */
  {
    g_auto(Run) german = { 0 };

    clmrs (&german, "--db", a, "demo", "--households", "24", "--language", "de", NULL);
    g_assert_cmpint (german.status, ==, 2);
    g_assert_nonnull (strstr (german.err, "--language is en or fr (got 'de')"));
    g_assert_false (g_file_test (a, G_FILE_TEST_EXISTS));
  }
  clmrs (&demo_a, "--db", a, "demo", "--households", "24", "--seed", "5", NULL);
  g_assert_cmpint (demo_a.status, ==, 0);
  g_assert_nonnull (strstr (demo_a.out, "24 households"));
  g_assert_nonnull (strstr (demo_a.out, "supervisor"));
  clmrs (&demo_b, "--db", b, "demo", "--households", "24", "--seed", "5", NULL);
  supervisor_a = first_person (a);
  supervisor_b = first_person (b);
  g_assert_cmpint (demo_b.status, ==, 0);

  /* the same seed gives the same data, byte for byte on the wire */
  clmrs_as (&export_a, supervisor_a, "999999\n", "--db", a, "export", "--ndjson", NULL);
  clmrs_as (&export_b, supervisor_b, "999999\n", "--db", b, "export", "--ndjson", NULL);
  g_assert_cmpint (export_a.status, ==, 0);
  {
    g_autofree char *sum_a = g_compute_checksum_for_string (G_CHECKSUM_SHA256, export_a.out, -1);
    g_autofree char *sum_b = g_compute_checksum_for_string (G_CHECKSUM_SHA256, export_b.out, -1);
    g_assert_cmpstr (sum_a, ==, sum_b);
  }

  lines = g_strsplit (g_strchomp (export_a.out), "\n", -1);
  n_lines = g_strv_length (lines);
  g_assert_cmpuint (n_lines, >, 24 + 24);
  for (guint i = 0; i < n_lines; i++)
    {
      g_autoptr(JsonNode) node = parse (lines[i]);
      JsonObject *o = json_node_get_object (node);
      const char *type = json_object_get_string_member (o, "type");

      g_assert_cmpint (json_object_get_int_member (o, "v"), ==, 1);
      g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (o, "id")));
      g_assert_cmpint (json_object_get_int_member (o, "rev"), >=, 1);
      g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (o, "device_id")));
      g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (o, "community_id")));
      g_assert_true (json_object_has_member (o, "created") && json_object_has_member (o, "schema"));
      /* RFC 3339 UTC stamps compare as text: nothing changes before it is made */
      if (g_strcmp0 (json_object_get_string_member (o, "created"), json_object_get_string_member (o, "modified")) > 0)
        g_error ("%s %s modified %s before it was created %s", type, json_object_get_string_member (o, "id"),
                 json_object_get_string_member (o, "modified"), json_object_get_string_member (o, "created"));
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (o, "body")));
      if (g_str_equal (type, "household")) types[0]++;
      else if (g_str_equal (type, "child")) types[1]++;
      else if (g_str_equal (type, "visit")) types[2]++;
      else if (g_str_equal (type, "support")) types[3]++;
      else if (g_str_equal (type, "awareness_session")) types[4]++;
      else if (g_str_equal (type, "review")) types[5]++;
      else if (g_str_equal (type, "community")) types[6]++;
      else if (g_str_equal (type, "audit")) types[7]++;
      else g_assert_not_reached ();
      if (g_str_equal (type, "visit"))
        {
          JsonObject *body = json_object_get_object_member (o, "body");
          JsonObject *answers = json_object_get_object_member (body, "answers");
          g_autoptr(GDateTime) start = NULL, end = NULL, now = g_date_time_new_now_utc ();

          g_assert_true (json_object_has_member (body, "answers"));
          g_assert_true (json_object_has_member (body, "assessments"));
          /* a visit ends after it starts, and not in the future */
          start = g_date_time_new_from_iso8601 (json_object_get_string_member (answers, "start"), NULL);
          end = g_date_time_new_from_iso8601 (json_object_get_string_member (answers, "end"), NULL);
          g_assert_nonnull (start);
          g_assert_nonnull (end);
          g_assert_cmpint (g_date_time_compare (start, end), <, 0);
          g_assert_cmpint (g_date_time_compare (end, now), <, 0);
        }
    }
  /* the supervisor writes returned visits' messages in the community's
   * language: French in Côte d'Ivoire, English in Ghana */
  {
    g_autoptr(GHashTable) countries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    guint returned[2] = { 0 };

    for (guint pass = 0; pass < 2; pass++)
      for (guint i = 0; i < n_lines; i++)
        {
          g_autoptr(JsonNode) node = parse (lines[i]);
          JsonObject *o = json_node_get_object (node);
          JsonObject *body = json_object_get_object_member (o, "body");
          const char *type = json_object_get_string_member (o, "type");
          const char *country;

          /* no two children of a household share a name */
          if (pass == 0 && g_str_equal (type, "child"))
            {
              g_autofree char *key = g_strconcat (json_object_get_string_member (body, "household_id"), "/",
                                                  json_object_get_string_member (body, "name"), NULL);

              const char *id = json_object_get_string_member (o, "id");
              const char *seen = g_hash_table_lookup (names, key);

              /* (a child's later revisions repeat its name) */
              g_assert_true (seen == NULL || g_str_equal (seen, id));
              g_hash_table_insert (names, g_steal_pointer (&key), g_strdup (id));
            }
          if (pass == 0 && g_str_equal (type, "community"))
            g_hash_table_insert (countries, g_strdup (json_object_get_string_member (o, "community_id")),
                                 g_strdup (json_object_get_string_member (body, "country")));
          if (pass == 0 || !g_str_equal (type, "review") ||
              !g_str_equal (json_object_get_string_member (body, "decision"), "returned"))
            continue;
          country = g_hash_table_lookup (countries, json_object_get_string_member (o, "community_id"));
          g_assert_nonnull (country);
          /* in English, the demo's language unless --language fr: French
             under the English app was a stumble (test-demo checks both) */
          g_assert_nonnull (strstr (json_object_get_string_member (body, "message"), ": please"));
          returned[g_str_equal (country, "ci")]++;
        }
    g_test_message ("returned visits: %u in Ghana, %u in Côte d'Ivoire", returned[0], returned[1]);
    g_assert_cmpuint (returned[0] + returned[1], >, 0);
  }
  g_assert_cmpuint (types[0], ==, 24);   /* each household once (a revisit changes nothing) */
  g_assert_cmpuint (types[1], >=, 24);
  g_assert_cmpuint (types[3], >, 0);
  g_assert_cmpuint (types[4], >, 0);
  g_assert_cmpuint (types[6], ==, 2);
  /* each supervisor's decision is in the audit trail too */
  g_assert_cmpuint (types[7], ==, types[5]);

  /* nothing has been synced: the queue holds every line (its summary
     leaves out the audit trail's, which are nobody's work to review) */
  clmrs_as (&queue, supervisor_a, "999999\n", "--db", a, "queue", "--json", NULL);
  g_assert_cmpint (queue.status, ==, 0);
  queue_json = parse (queue.out);
  queued = json_object_get_int_member (json_object_get_object_member (json_node_get_object (queue_json), "total"), "queued");
  g_assert_cmpuint (types[7], >, 0);
  g_assert_cmpint (queued, ==, n_lines - types[7]);

  /* demo data goes into a new database only */
  clmrs_as (&again, supervisor_a, "999999\n", "--db", a, "demo", "--households", "2", NULL);
  g_assert_cmpint (again.status, ==, 1);
  g_assert_nonnull (strstr (again.err, "already holds demo data"));

  clmrs_as (&csv_run, supervisor_a, "999999\n", "--db", a, "export", "--csv", csv, NULL);
  g_assert_cmpint (csv_run.status, ==, 0);
  facilitators_path = g_build_filename (csv, "facilitators.csv", NULL);
  g_assert_true (g_file_get_contents (facilitators_path, &facilitators, NULL, NULL));
  g_assert_true (g_str_has_prefix (facilitators, "id,name,sex,role"));
  g_assert_null (strstr (facilitators, "pbkdf2"));
  for (const char *const *t = (const char *[]) { "households.csv", "children.csv", "visits.csv",
                                                   "assessments.csv", "supports.csv", "cases.csv", NULL }; *t; t++)
    {
      g_autofree char *p = g_build_filename (csv, *t, NULL);
      g_assert_true (g_file_test (p, G_FILE_TEST_IS_REGULAR));
    }

  clmrs_as (&indicators, supervisor_a, "999999\n", "--db", a, "indicators", "--json", NULL);
  g_assert_cmpint (indicators.status, ==, 0);
  ind = parse (indicators.out);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (ind));

  clmrs_as (&due, supervisor_a, "999999\n", "--db", a, "due", "--json", "--days", "400", NULL);
  g_assert_cmpint (due.status, ==, 0);
  due_json = parse (due.out);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (due_json));

  clmrs_as (&households, supervisor_a, "999999\n", "--db", a, "households", NULL);
  g_assert_cmpint (households.status, ==, 0);
  {
    g_auto(GStrv) rows = g_strsplit (households.out, "\n", -1);
    g_assert_cmpuint (g_strv_length (rows), >=, 24);
  }
}

/* `clmrs households kouame` finds Kouamé: names are searched without
 * their accents, by the start of the name or of a word in it. */
static void
test_households_without_accents (Fixture *f, gconstpointer data)
{
  g_autofree char *path = path_in (f, "device.db");
  g_auto(Run) found = { 0 }, word = { 0 }, none = { 0 };
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(ClmrsStore) store = clmrs_store_open (path, &error);

    g_assert_no_error (error);
    g_assert_true (clmrs_store_exec (store,
        "INSERT INTO communities (id, name, created, modified) VALUES ('c', 'Kragui', 'x', 'x');"
        "INSERT INTO households (id, community_id, head_name, device_id, author, created, modified) VALUES"
        " ('h1', 'c', 'Kouamé Yao', 'd', 'a', 'x', 'x'), ('h2', 'c', 'Zadi Djédjé', 'd', 'a', 'x', 'x');",
        &error));
    g_assert_no_error (error);
  }
  clmrs (&found, "--db", path, "households", "kouame", NULL);
  g_assert_cmpint (found.status, ==, 0);
  g_assert_nonnull (strstr (found.out, "Kouamé Yao"));
  g_assert_null (strstr (found.out, "Djédjé"));
  clmrs (&word, "--db", path, "households", "DJEDJE", NULL);
  g_assert_cmpint (word.status, ==, 0);
  g_assert_nonnull (strstr (word.out, "Zadi Djédjé"));
  clmrs (&none, "--db", path, "households", "ouame", NULL);
  g_assert_cmpint (none.status, ==, 0);
  g_assert_null (strstr (none.out, "Kouamé"));
}

/* Demo data goes only into a new (or empty, unenrolled) database, which
 * it marks as demo; a real device's database is refused and left as it was. */
static void
test_demo_refuses_real (Fixture *f, gconstpointer data)
{
  g_autofree char *fresh = path_in (f, "demo.db");
  g_autofree char *real = path_in (f, "device.db");
  g_autofree char *enrolled = path_in (f, "enrolled.db");
  g_auto(Run) made = { 0 }, init = { 0 }, on_real = { 0 }, on_enrolled = { 0 };
  g_autoptr(GError) error = NULL;

  clmrs (&made, "--db", fresh, "demo", "--households", "2", NULL);
  g_assert_cmpint (made.status, ==, 0);
  {
    g_autofree char *supervisor = first_person (fresh);
    g_autoptr(ClmrsStore) store = clmrs_device_sign_in (fresh, supervisor, "999999", NULL, &error);

    g_assert_no_error (error);
    g_assert_true (clmrs_demo_store_is_demo (store));
  }

  /* set up with `clmrs init`: its people and community are real */
  clmrs_as (&init, NULL, "482193\n", "--pin-fd", "0", "--db", real, "init", "--community", "Kragui", "--country", "ci",
            "--facilitator", "Awa Koné,female", NULL);
  g_assert_cmpint (init.status, ==, 0);
  clmrs_as (&on_real, "Awa Koné", "482193\n", "--db", real, "demo", "--households", "2", NULL);
  g_assert_cmpint (on_real.status, ==, 1);
  g_assert_nonnull (strstr (on_real.err, "holds records that are not demo data"));
  g_assert_cmpstr (on_real.out, ==, "");
  {
    g_autofree char *awa = first_person (real);
    g_autoptr(ClmrsStore) store = clmrs_device_sign_in (real, awa, "482193", NULL, &error);

    g_assert_no_error (error);
    g_assert_false (clmrs_demo_store_is_demo (store));
  }

  /* enrolled, even before its first record: what it holds goes to the server */
  {
    g_autoptr(ClmrsStore) store = clmrs_store_open (enrolled, &error);

    g_assert_no_error (error);
    g_assert_true (clmrs_store_set_meta (store, "sync_token", "a-token", &error));
    g_assert_no_error (error);
  }
  clmrs (&on_enrolled, "--db", enrolled, "demo", "--households", "2", NULL);
  g_assert_cmpint (on_enrolled.status, ==, 1);
  g_assert_nonnull (strstr (on_enrolled.err, "is enrolled with a server"));
  {
    g_autoptr(ClmrsStore) store = clmrs_store_open (enrolled, &error);

    g_assert_no_error (error);
    g_assert_false (clmrs_demo_store_is_demo (store));
  }
}

/* A command that reads the database never makes one at a mistyped path. */
static void
test_missing_database (Fixture *f, gconstpointer data)
{
  g_autofree char *db = path_in (f, "mistyped.db");
  const char *commands[][3] = {
    { "due", NULL }, { "queue", NULL }, { "households", "Ko", NULL }, { "export", "--ndjson", NULL },
    { "indicators", "--json", NULL }, { "sync", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_auto(Run) run = { 0 };

      clmrs (&run, "--db", db, commands[i][0], commands[i][1], NULL);
      g_assert_cmpint (run.status, ==, 1);
      g_assert_nonnull (strstr (run.err, "no database at"));
      g_assert_nonnull (strstr (run.err, db));
      g_assert_cmpstr (run.out, ==, "");
      g_assert_false (g_file_test (db, G_FILE_TEST_EXISTS));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/cli/init", test_init);
  ADD ("/cli/usage-errors", test_usage_errors);
  ADD ("/cli/missing-database", test_missing_database);
  ADD ("/cli/demo-export-queue", test_demo_export_queue);
  ADD ("/cli/demo-refuses-real", test_demo_refuses_real);
  ADD ("/cli/households-without-accents", test_households_without_accents);
  return g_test_run ();
}
