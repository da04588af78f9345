/* test-publish.c: forms and rule sets published on a real clmrs-server reach a device through `clmrs sync` and are what its next visits use, end to end through the programs. */
#include "catalog.h"
#include "form-edit.h"
#include "store.h"
#include "sync-harness.h"
#include "visit-answers.h"

#include <glib/gstdio.h>
#include <string.h>

typedef struct {
  char           *dir;
  char           *server_db;
  char           *device;
  SyncTestServer  server;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *log = NULL;

  f->dir = sync_test_make_dir ();
  f->server_db = g_build_filename (f->dir, "server.db", NULL);
  f->device = g_build_filename (f->dir, "device.db", NULL);
  log = g_build_filename (f->dir, "server.log", NULL);
  sync_test_server_start (&f->server, f->server_db, log, NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  sync_test_server_clear (&f->server);
  sync_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->server_db);
  g_free (f->device);
}

/* A file in the fixture's folder holding @content; its path. */
static char *
write_file (Fixture    *f,
            const char *name,
            const char *content)
{
  char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, content, -1, &error));
  g_assert_no_error (error);
  return path;
}

/* A new device of Kragui (Ghana), enrolled with the fixture's server and
 * synced once: it has what was published. */
static void
device_synced (Fixture *f)
{
  g_autofree char *code = NULL;

  sync_test_init_ok (f->device, "604918\n", "--community", "Kragui", "--country", "gh",
                     "--facilitator", "Adjoa Darko,female", NULL);
  sync_test_sign_in_first (f->device, "604918");
  code = sync_test_enrol_code (f->server_db, "all");
  g_free (sync_test_run_ok (sync_test_cli (), "--db", f->device, "enroll", "--server", f->server.url,
                            "--code", code, "--name", "tablet", NULL));
  g_free (sync_test_run_ok (sync_test_cli (), "--db", f->device, "sync", NULL));
}

static char *
read_source (const char *relative)
{
  g_autofree char *path = g_build_filename (g_getenv ("CLMRS_SOURCE_DIR"), relative, NULL);
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  return text;
}

/* The first column of the first row of @sql on the device, as text. */
static char *
device_text (const char *db,
             const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) store = clmrs_store_open (db, &error);
  sqlite3_stmt *stmt;
  char *text = NULL;

  g_assert_no_error (error);
  stmt = clmrs_store_prepare (store, sql, &error);
  g_assert_no_error (error);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return text;
}

/* `clmrs forms list --json` on the device: "kind id version origin
 * [current] [media N]" a line, in its order. */
static char *
forms_list (Fixture *f)
{
  g_autofree char *out = sync_test_run_ok (sync_test_cli (), "--db", f->device, "forms", "list", "--json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  GString *lines = g_string_new (NULL);
  JsonArray *array;

  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  array = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);

      g_string_append_printf (lines, "%s %s %s %s%s", json_object_get_string_member (o, "kind"),
                              json_object_get_string_member (o, "id"), json_object_get_string_member (o, "version"),
                              json_object_get_string_member (o, "origin"),
                              json_object_get_boolean_member (o, "current") ? " current" : "");
      if (json_object_get_int_member (o, "media") > 0)
        g_string_append_printf (lines, " media %" G_GINT64_FORMAT, json_object_get_int_member (o, "media"));
      g_string_append_c (lines, '\n');
    }
  return g_string_free (lines, FALSE);
}

/* The server's export line of the one visit record. */
static JsonObject *
exported_visit (Fixture *f)
{
  g_autoptr(GPtrArray) lines = sync_test_server_export (f->server_db);
  JsonObject *found = NULL;

  for (guint i = 0; i < lines->len; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *o;

      g_assert_true (json_parser_load_from_data (parser, g_ptr_array_index (lines, i), -1, NULL));
      o = json_node_get_object (json_parser_get_root (parser));
      if (g_str_equal (json_object_get_string_member (o, "type"), "visit"))
        {
          g_assert_null (found);
          found = json_object_ref (o);
        }
    }
  g_assert_nonnull (found);
  return found;
}

/* The whole path: a changed household form (a new question) and a
 * changed rule set published on the server reach an enrolled device at
 * its next sync; a draft begun before finishes on its version; a visit
 * through `clmrs visit` answers the new question; after the next sync
 * the server's export holds the answer, the form version and the rule
 * set that classified the child. */
static void
test_published_form_end_to_end (Fixture       *f,
                                gconstpointer  data)
{
  g_autofree char *form_v2 = test_household_form_with_question ("3");
  g_autofree char *form_v3 = test_household_form_with_question ("4");
  g_autofree char *form_path = write_file (f, "household_visit.xml", form_v2);
  g_autofree char *form3_path = write_file (f, "household_visit_4.xml", form_v3);
  g_autofree char *shipped_rules = read_source ("assets/rules/ci.json");
  g_autofree char *rules = test_replace_once (shipped_rules, "\"version\": \"2026.2\"", "\"version\": \"2026.3\"");
  g_autofree char *rules_path = write_file (f, "ci.json", rules);
  g_autofree char *with_water = g_strdup_printf (household_answers_json, ",\"water_source\":\"borehole\"");
  g_autofree char *answers_path = write_file (f, "answers.json", with_water);
  g_autofree char *code = NULL;
  g_autofree char *facilitator = NULL;
  g_autofree char *draft = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *list = NULL;
  g_autoptr(JsonObject) visit = NULL;
  JsonObject *household;

  sync_test_init_ok (f->device, "482193\n730591\n", "--community", "Kragui", "--country", "ci",
                     "--facilitator", "Awa Koné,female", "--supervisor", "Yao Kouassi,male", NULL);
  sync_test_sign_in_first (f->device, "482193");
  facilitator = device_text (f->device, "SELECT id FROM facilitators WHERE role = 'facilitator'");
  code = sync_test_enrol_code (f->server_db, "all");
  g_free (sync_test_run_ok (sync_test_cli (), "--db", f->device, "enroll", "--server", f->server.url,
                            "--code", code, "--name", "tablet", NULL));

  /* before: only the built-in versions, and the new question is unknown */
  list = forms_list (f);
  g_assert_nonnull (strstr (list, "form household_visit 2 built-in current\n"));
  g_assert_nonnull (strstr (list, "rule_set ci 2026.2 built-in current\n"));
  g_assert_cmpint (sync_test_run_full (&out, &err, sync_test_cli (), "--db", f->device, "visit", "--form", "household_visit",
                                       "--facilitator", facilitator, answers_path, NULL), ==, 3);
  g_assert_nonnull (strstr (err, "water_source"));
  g_assert_cmpint (sync_test_device_count (f->device, "SELECT count (*) FROM visits"), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* a draft begun on the built-in version */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ClmrsStore) store = clmrs_store_open (f->device, &error);
    g_autofree char *community = device_text (f->device, "SELECT id FROM communities");

    g_assert_no_error (error);
    draft = clmrs_store_draft_create (store, "household", "household_visit", "2", facilitator, community,
                                      NULL, NULL, &error);
    g_assert_no_error (error);
  }

  out = sync_test_run_ok (sync_test_server_program (), "publish", "--db", f->server_db, form_path, NULL);
  g_assert_nonnull (strstr (out, "published form household_visit@3"));
  g_clear_pointer (&out, g_free);
  out = sync_test_run_ok (sync_test_server_program (), "publish", "--db", f->server_db, rules_path, NULL);
  g_assert_nonnull (strstr (out, "published rule_set ci@2026.3"));
  g_clear_pointer (&out, g_free);

  g_free (sync_test_run_ok (sync_test_cli (), "--db", f->device, "sync", NULL));
  g_clear_pointer (&list, g_free);
  list = forms_list (f);
  g_assert_nonnull (strstr (list, "form household_visit 2 built-in\n"));
  g_assert_nonnull (strstr (list, "form household_visit 3 published current\n"));
  g_assert_nonnull (strstr (list, "rule_set ci 2026.2 built-in\n"));
  g_assert_nonnull (strstr (list, "rule_set ci 2026.3 published current\n"));
  g_assert_nonnull (strstr (list, "form follow_up_visit 2 built-in current\n"));

  /* the draft still opens on version 2 (without the question), a new
   * visit on version 3 */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ClmrsStore) store = clmrs_store_open (f->device, &error);
    g_autofree char *version = device_text (f->device, "SELECT form_version FROM visits WHERE state = 'draft'");
    g_autoptr(ClmrsForm) old = clmrs_catalog_load_form (store, "household_visit", version, NULL, &error);
    g_autoptr(ClmrsForm) newest = clmrs_catalog_form_for_visit (store, "household", &error);
    g_autoptr(ClmrsFormSession) old_session = NULL;
    g_autoptr(ClmrsFormSession) new_session = NULL;

    g_assert_no_error (error);
    g_assert_cmpstr (version, ==, "2");
    g_assert_cmpstr (clmrs_form_get_version (old), ==, "2");
    g_assert_cmpstr (clmrs_form_get_version (newest), ==, "3");
    old_session = clmrs_form_session_new (old, &error);
    new_session = clmrs_form_session_new (newest, &error);
    g_assert_no_error (error);
    g_assert_null (clmrs_form_session_get_answer (old_session, "/household_visit/household/water_source"));
    g_assert_true (clmrs_form_session_set_answer (new_session, "/household_visit/household/water_source", "well",
                                                  &error));
    g_assert_no_error (error);
    g_assert_true (clmrs_store_draft_discard (store, draft, &error));
    g_assert_no_error (error);
  }

  /* the new question is now asked, and required */
  {
    g_autofree char *without = g_strdup_printf (household_answers_json, "");
    g_autofree char *without_path = write_file (f, "without.json", without);

    g_assert_cmpint (sync_test_run_full (&out, &err, sync_test_cli (), "--db", f->device, "visit", "--form", "household_visit",
                                         "--facilitator", facilitator, without_path, NULL), ==, 3);
    g_assert_nonnull (strstr (err, "/household_visit/household/water_source"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  out = sync_test_run_ok (sync_test_cli (), "--db", f->device, "visit", "--form", "household_visit",
                          "--facilitator", facilitator, answers_path, NULL);
  g_assert_nonnull (strstr (out, "with form household_visit@3 and rules ci@2026.3"));
  g_assert_nonnull (strstr (out, "Kouadio Ama (12): "));
  g_clear_pointer (&out, g_free);
  g_free (sync_test_run_ok (sync_test_cli (), "--db", f->device, "sync", NULL));

  /* the server's export: the answer, the form version, the rules */
  visit = exported_visit (f);
  g_assert_cmpstr (json_object_get_string_member (visit, "schema"), ==, "household_visit@3");
  g_assert_cmpstr (json_object_get_string_member (visit, "rules"), ==, "ci@2026.3");
  household = json_object_get_object_member (json_object_get_object_member (json_object_get_object_member (visit, "body"),
                                                                            "answers"), "household");
  g_assert_cmpstr (json_object_get_string_member (household, "water_source"), ==, "borehole");

  /* a third version: the device keeps the second (its record names it) */
  g_free (sync_test_run_ok (sync_test_server_program (), "publish", "--db", f->server_db, form3_path, NULL));
  g_free (sync_test_run_ok (sync_test_cli (), "--db", f->device, "sync", NULL));
  g_clear_pointer (&list, g_free);
  list = forms_list (f);
  g_assert_nonnull (strstr (list, "form household_visit 2 built-in\n"
                                  "form household_visit 3 published\n"
                                  "form household_visit 4 published current\n"));

  /* the server too keeps every version: the record's schema names the
   * form whose labels its answers read with */
  g_clear_pointer (&out, g_free);
  out = sync_test_run_ok (sync_test_server_program (), "forms", "--db", f->server_db, NULL);
  g_assert_true (g_regex_match_simple ("^form +household_visit +3 +rev 1 .*\n"
                                       "form +household_visit +4 +rev 2 .*\n"
                                       "rule_set +ci +2026.3 +rev 1 ", out, G_REGEX_MULTILINE, 0));
  g_clear_pointer (&out, g_free);
  out = sync_test_run_ok (sync_test_server_program (), "forms", "--db", f->server_db, "--form",
                          json_object_get_string_member (visit, "schema"), NULL);
  g_assert_cmpstr (out, ==, form_v2);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (sync_test_run_full (&out, &err, sync_test_server_program (), "forms", "--db", f->server_db, "--form",
                                       "household_visit@9", NULL), ==, 3);
  g_assert_nonnull (strstr (err, "no form household_visit version 9 was published"));
}

/* A small form with a picture in a label (jr://images/logo.png): the
 * engine loads it (an image label is not shown yet), and publishing it
 * needs the file. */
static const char media_form[] =
  "<?xml version=\"1.0\"?>\n"
  "<h:html xmlns=\"http://www.w3.org/2002/xforms\" xmlns:h=\"http://www.w3.org/1999/xhtml\""
  " xmlns:jr=\"http://openrosa.org/javarosa\">\n"
  "<h:head><h:title>Farm check</h:title><model>\n"
  "<itext><translation lang=\"en\" default=\"true()\">\n"
  "<text id=\"q:label\"><value>Which cooperative?</value><value form=\"image\">jr://images/logo.png</value></text>\n"
  "</translation></itext>\n"
  "<instance><farm_check id=\"farm_check\" version=\"1\"><q/></farm_check></instance>\n"
  "<bind nodeset=\"/farm_check/q\" type=\"string\"/>\n"
  "</model></h:head>\n"
  "<h:body><input ref=\"/farm_check/q\"><label ref=\"jr:itext('q:label')\"/></input></h:body></h:html>\n";

/* `clmrs-server publish` refuses what a device would refuse, with the
 * messages of `clmrs forms check` and of the rules loader, and stores
 * nothing then. */
static void
test_publish_checks (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *shipped = read_source ("assets/forms/household_visit.xml");
  g_autofree char *a = test_replace_once (shipped, "<bind nodeset=\"/household_visit/household/farmer_status\"",
                                     "<bind nodeset=\"/household_visit/household/water_sourc\" type=\"string\"/>\n"
                                     "      <bind nodeset=\"/household_visit/household/farmer_status\"");
  g_autofree char *b = test_replace_once (a, "<input ref=\"/household_visit/household/gps\">",
                                     "<input ref=\"/household_visit/household/water_source\"><label>Water</label></input>\n"
                                     "      <input ref=\"/household_visit/household/gps\">");
  g_autofree char *bad_form = write_file (f, "household_visit.xml", b);
  g_autofree char *no_version_text = test_replace_once (media_form, " version=\"1\"", "");
  g_autofree char *no_version = write_file (f, "no_version.xml", no_version_text);
  g_autofree char *shipped_rules = read_source ("assets/rules/ci.json");
  g_autofree char *bad_rules_text = test_replace_once (shipped_rules, "\"format\": 1", "\"format\": 7");
  g_autofree char *bad_rules = write_file (f, "ci.json", bad_rules_text);
  g_autofree char *check_out = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsRuleSet) rules = NULL;
  g_auto(GStrv) lines = NULL;

  /* the form: every problem, as `clmrs forms check` prints it */
  g_assert_cmpint (sync_test_run_full (&check_out, NULL, sync_test_cli (), "forms", "check", bad_form, NULL), ==, 3);
  lines = g_strsplit (g_strstrip (check_out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >=, 2);
  g_assert_cmpint (sync_test_run_full (&out, &err, sync_test_server_program (), "publish", "--db", f->server_db, bad_form,
                                       NULL), ==, 3);
  g_assert_nonnull (strstr (err, "refused"));
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *line = g_strconcat ("\n", lines[i], NULL);
      g_assert_nonnull (strstr (err, line));
    }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* no version: devices could not tell it from the built-in form */
  g_assert_cmpint (sync_test_run_full (&out, &err, sync_test_server_program (), "publish", "--db", f->server_db, no_version,
                                       NULL), ==, 3);
  g_assert_nonnull (strstr (err, "needs an id and a version"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* the rule set: the loader's own message */
  rules = clmrs_rule_set_load_file (bad_rules, &error);
  g_assert_null (rules);
  g_assert_nonnull (error);
  g_assert_cmpint (sync_test_run_full (&out, &err, sync_test_server_program (), "publish", "--db", f->server_db, bad_rules,
                                       NULL), ==, 3);
  g_assert_nonnull (strstr (err, error->message));

  g_assert_cmpint (sync_test_server_stat (f->server_db, "publications"), ==, 0);
}

/* A form's media files: each one the form names must be given, and no
 * other; they are stored with the version, pulled by devices and found
 * there by name. */
static void
test_publish_media (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *form = write_file (f, "farm_check.xml", media_form);
  g_autofree char *media_dir = g_build_filename (f->dir, "media", NULL);
  g_autofree char *logo = g_build_filename (media_dir, "logo.png", NULL);
  g_autofree char *extra = write_file (f, "extra.csv", "name\nKragui\n");
  g_autofree char *other_dir = g_build_filename (f->dir, "other", NULL);
  g_autofree char *other_logo = g_build_filename (other_dir, "logo.png", NULL);
  g_autofree char *shipped_rules = read_source ("assets/rules/gh.json");
  g_autofree char *rules = write_file (f, "gh.json", shipped_rules);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *list = NULL;
  const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR fake";

  g_assert_cmpint (g_mkdir (media_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (other_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (logo, png, sizeof png, NULL));
  g_assert_true (g_file_set_contents (other_logo, "another picture", -1, NULL));

  /* missing, and one too many */
  g_assert_cmpint (sync_test_run_full (&out, &err, sync_test_server_program (), "publish", "--db", f->server_db, form, NULL),
                             ==, 3);
  g_assert_nonnull (strstr (err, "refers to media files not given with --media: logo.png"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sync_test_run_full (&out, &err, sync_test_server_program (), "publish", "--db", f->server_db, form,
                                       "--media", logo, "--media", extra, NULL), ==, 3);
  g_assert_nonnull (strstr (err, "does not refer to the media file extra.csv"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sync_test_run_full (&out, &err, sync_test_server_program (), "publish", "--db", f->server_db, rules,
                                       "--media", logo, NULL), ==, 3);
  g_assert_nonnull (strstr (err, "a rule set has no media files"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  /* a picture too large for a device to pull in one piece */
  {
    g_autofree char *big_dir = g_build_filename (f->dir, "big", NULL);
    g_autofree char *big = g_build_filename (big_dir, "logo.png", NULL);
    g_autofree guint8 *bytes = g_malloc (6 * 1024 * 1024);
    g_autoptr(GRand) rand = g_rand_new_with_seed (7);

    for (gsize i = 0; i < 6 * 1024 * 1024; i++)
      bytes[i] = (guint8) g_rand_int (rand);
    g_assert_cmpint (g_mkdir (big_dir, 0700), ==, 0);
    g_assert_true (g_file_set_contents (big, (const char *) bytes, 6 * 1024 * 1024, NULL));
    g_assert_cmpint (sync_test_run_full (&out, &err, sync_test_server_program (), "publish", "--db", f->server_db, form,
                                         "--media", big, NULL), ==, 3);
    g_assert_nonnull (strstr (err, "a device takes in one piece"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  g_assert_cmpint (sync_test_server_stat (f->server_db, "publications"), ==, 0);

  /* a folder of media; again is nothing new; other media under the same version is refused */
  out = sync_test_run_ok (sync_test_server_program (), "publish", "--db", f->server_db, form, "--media", media_dir,
                          NULL);
  g_assert_nonnull (strstr (out, "published form farm_check@1 with 1 media file"));
  g_clear_pointer (&out, g_free);
  out = sync_test_run_ok (sync_test_server_program (), "publish", "--db", f->server_db, form, "--media", logo, NULL);
  g_assert_nonnull (strstr (out, "already published"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (sync_test_run_full (&out, &err, sync_test_server_program (), "publish", "--db", f->server_db, form,
                                       "--media", other_logo, NULL), ==, 3);
  g_assert_nonnull (strstr (err, "already published with other content (other media files)"));
  g_assert_cmpint (sync_test_server_stat (f->server_db, "publications"), ==, 1);

  /* a device pulls the file with the form, and finds it by name */
  device_synced (f);
  list = forms_list (f);
  g_assert_nonnull (strstr (list, "form farm_check 1 published current media 1\n"));
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ClmrsStore) store = clmrs_store_open (f->device, &error);
    g_autoptr(ClmrsFormMedia) media = NULL;
    g_autoptr(ClmrsForm) loaded = clmrs_catalog_load_form (store, "farm_check", NULL, &media, &error);
    g_autoptr(GBytes) expected = g_bytes_new_static (png, sizeof png);
    GBytes *got;

    g_assert_no_error (error);
    g_assert_cmpstr (clmrs_form_get_title (loaded), ==, "Farm check");
    g_assert_cmpuint (clmrs_form_media_count (media), ==, 1);
    got = clmrs_form_media_lookup (media, "logo.png");
    g_assert_nonnull (got);
    g_assert_true (g_bytes_equal (got, expected));
    g_assert_null (clmrs_form_media_lookup (media, "extra.csv"));
  }
}

/* XLSForm's select_one_from_file: a form whose farmers come from a CSV
 * published with it.  The server checks the form with its list, as the
 * engine reads it; a device loads the version with its list and filters
 * it by cooperative. */
static const char list_form[] =
  "<?xml version=\"1.0\"?>\n"
  "<h:html xmlns=\"http://www.w3.org/2002/xforms\" xmlns:h=\"http://www.w3.org/1999/xhtml\""
  " xmlns:jr=\"http://openrosa.org/javarosa\">\n"
  "<h:head><h:title>Farmer</h:title><model>\n"
  "<instance><farmer_pick id=\"farmer_pick\" version=\"1\"><coop/><farmer/></farmer_pick></instance>\n"
  "<instance id=\"farmers\" src=\"jr://file-csv/farmers.csv\"/>\n"
  "<bind nodeset=\"/farmer_pick/coop\" type=\"string\"/>\n"
  "<bind nodeset=\"/farmer_pick/farmer\" type=\"string\"/>\n"
  "</model></h:head>\n"
  "<h:body><input ref=\"/farmer_pick/coop\"><label>Cooperative</label></input>\n"
  "<select1 ref=\"/farmer_pick/farmer\"><label>Farmer</label>"
  "<itemset nodeset=\"instance('farmers')/root/item[coop= current()/../coop ]\">"
  "<value ref=\"name\"/><label ref=\"label\"/></itemset></select1></h:body></h:html>\n";

static void
test_publish_choice_list (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *form = write_file (f, "farmer_pick.xml", list_form);
  g_autofree char *bad_dir = g_build_filename (f->dir, "bad", NULL);
  g_autofree char *bad_csv = g_build_filename (bad_dir, "farmers.csv", NULL);
  g_autofree char *csv = write_file (f, "farmers.csv", "name,label,coop\nf1,Awa,c1\nf2,Kofi,c2\nf3,Yaw,c1\n");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  /* without its list, or with a list the engine cannot read: refused */
  g_assert_cmpint (sync_test_run_full (&out, &err, sync_test_server_program (), "publish", "--db", f->server_db, form,
                                       NULL), ==, 3);
  g_assert_nonnull (strstr (err, "farmers.csv"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (g_mkdir (bad_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (bad_csv, "name,first label\nf1,Awa\n", -1, NULL));
  g_assert_cmpint (sync_test_run_full (&out, &err, sync_test_server_program (), "publish", "--db", f->server_db, form,
                                       "--media", bad_csv, NULL), ==, 3);
  g_assert_nonnull (strstr (err, "column 2 of the first row, 'first label', is not a name XPath can use"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sync_test_server_stat (f->server_db, "publications"), ==, 0);

  g_free (sync_test_run_ok (sync_test_server_program (), "publish", "--db", f->server_db, form, "--media", csv, NULL));
  device_synced (f);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ClmrsStore) store = clmrs_store_open (f->device, &error);
    g_autoptr(ClmrsFormMedia) media = NULL;
    g_autoptr(ClmrsForm) loaded = clmrs_catalog_load_form (store, "farmer_pick", NULL, &media, &error);
    g_autoptr(ClmrsFormSession) session = NULL;
    g_autoptr(GPtrArray) prompts = NULL;
    ClmrsPrompt *farmer = NULL;

    g_assert_no_error (error);
    g_assert_nonnull (loaded);
    session = clmrs_form_session_new (loaded, &error);
    g_assert_true (clmrs_form_session_set_answer (session, "/farmer_pick/coop", "c1", &error));
    prompts = clmrs_form_session_get_prompts (session);
    for (guint i = 0; i < prompts->len; i++)
      if (g_str_equal (((ClmrsPrompt *) prompts->pdata[i])->ref, "/farmer_pick/farmer"))
        farmer = prompts->pdata[i];
    g_assert_nonnull (farmer);
    g_assert_cmpuint (farmer->choices->len, ==, 2);
    g_assert_cmpstr (((ClmrsChoice *) farmer->choices->pdata[1])->label, ==, "Yaw");
    g_assert_false (clmrs_form_session_set_answer (session, "/farmer_pick/farmer", "f2", &error));
    g_clear_error (&error);
    g_assert_true (clmrs_form_session_set_answer (session, "/farmer_pick/farmer", "f3", &error));
  }
}

/* The media codec of publication lines refuses a file whose content does
 * not match its SHA-256, naming it, and a name that is not a plain file
 * name. */
static void
test_media_codec (void)
{
  g_autoptr(ClmrsFormMedia) media = clmrs_form_media_new ();
  g_autoptr(GBytes) bytes = g_bytes_new_static ("id,name\n1,Kragui\n", 17);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(ClmrsFormMedia) back = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) refs = NULL;
  JsonObject *item;
  const char *xform = "<instance id=\"v\" src=\"jr://file-csv/villages.csv\"/> <value>jr://images/a.png</value>"
                      " jr://file/farmers.xml jr://images/a.png";

  g_assert_true (clmrs_form_media_add (media, "villages.csv", bytes, &error));
  g_assert_false (clmrs_form_media_add (media, "../etc/passwd", bytes, &error));
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (clmrs_form_media_add (media, ".hidden", bytes, NULL));

  node = clmrs_form_media_to_json (media);
  back = clmrs_form_media_from_json (node, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (clmrs_form_media_lookup (back, "villages.csv"), bytes));
  g_clear_pointer (&back, clmrs_form_media_unref);

  item = json_array_get_object_element (json_node_get_array (node), 0);
  json_object_set_string_member (item, "content", "aWQsbmFtZQoxLEtyYWd1aw==");   /* "id,name\n1,Kraguk" */
  back = clmrs_form_media_from_json (node, &error);
  g_assert_null (back);
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "villages.csv"));

  refs = clmrs_form_media_references (xform, strlen (xform));
  g_assert_cmpuint (g_strv_length (refs), ==, 3);
  g_assert_cmpstr (refs[0], ==, "a.png");
  g_assert_cmpstr (refs[1], ==, "farmers.xml");
  g_assert_cmpstr (refs[2], ==, "villages.csv");
}

/* Versions order as numbers where they are numbers. */
static void
test_version_order (void)
{
  g_assert_cmpint (clmrs_version_compare ("2026.2", "2026.10"), <, 0);
  g_assert_cmpint (clmrs_version_compare ("1", "2026120701"), <, 0);
  g_assert_cmpint (clmrs_version_compare ("2026.1", "2026.1"), ==, 0);
  g_assert_cmpint (clmrs_version_compare ("2026.01", "2026.1"), ==, 0);
  g_assert_cmpint (clmrs_version_compare ("2026.1", "2026.1b"), <, 0);
  g_assert_cmpint (clmrs_version_compare ("3", "2"), >, 0);
  g_assert_cmpint (clmrs_version_compare ("", "1"), <, 0);
}

int
main (int    argc,
      char **argv)
{
  g_setenv ("CLMRS_TODAY", "2026-06-30", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/publish/version-order", test_version_order);
  g_test_add_func ("/publish/media-codec", test_media_codec);
  g_test_add ("/publish/end-to-end", Fixture, NULL, fixture_setup, test_published_form_end_to_end,
              fixture_teardown);
  g_test_add ("/publish/checks", Fixture, NULL, fixture_setup, test_publish_checks, fixture_teardown);
  g_test_add ("/publish/media", Fixture, NULL, fixture_setup, test_publish_media, fixture_teardown);
  g_test_add ("/publish/choice-list", Fixture, NULL, fixture_setup, test_publish_choice_list, fixture_teardown);
  return g_test_run ();
}
