/* test-publish.c: forms and rule sets published on a real clmrs-server reach a device through `clmrs sync` and are what its next visits use, end to end through the programs. */
#include "catalog.h"
#include "store.h"
#include "sync-harness.h"

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

/* Runs @program with the NULL-terminated arguments; its exit status, and
 * its stdout and stderr in @out and @err. */
static int
run_full (char       **out,
          char       **err,
          const char  *program,
          ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) env = sync_test_environ ();
  g_autoptr(GError) error = NULL;
  va_list args;
  int status = 0;

  g_ptr_array_add (argv, (char *) program);
  va_start (args, program);
  for (const char *a = va_arg (args, const char *); a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status, &error);
  g_assert_no_error (error);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
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

/* @text with its first @from replaced by @to (asserting it is there). */
static char *
replace_once (const char *text,
              const char *from,
              const char *to)
{
  const char *at = strstr (text, from);

  g_assert_nonnull (at);
  return g_strdup_printf ("%.*s%s%s", (int) (at - text), text, to, at + strlen (from));
}

/* The shipped household form at @version with a new question, "Main
 * source of drinking water" (household/water_source), as docs/publishing.md's example. */
static char *
household_form_with_question (const char *version)
{
  g_autofree char *shipped = read_source ("assets/forms/household_visit.xml");
  g_autofree char *root = g_strdup_printf ("<household_visit id=\"household_visit\" version=\"%s\">", version);
  g_autofree char *a = replace_once (shipped, "<household_visit id=\"household_visit\" version=\"1\">", root);
  g_autofree char *b = replace_once (a, "<farmer_status/>", "<farmer_status/><water_source/>");
  g_autofree char *c = replace_once (b, "<bind nodeset=\"/household_visit/household/farmer_status\"",
                                     "<bind nodeset=\"/household_visit/household/water_source\" type=\"string\""
                                     " relevant=\"../consent = 'yes'\" required=\"true()\"/>\n"
                                     "      <bind nodeset=\"/household_visit/household/farmer_status\"");
  return replace_once (c, "<input ref=\"/household_visit/household/gps\">",
                       "<input ref=\"/household_visit/household/water_source\">"
                       "<label>Main source of drinking water</label></input>\n"
                       "      <input ref=\"/household_visit/household/gps\">");
}

/* One household visit's answers: a 12-year-old carrying heavy loads. */
static const char answers_json[] =
  "{\"visit_date\":\"2026-06-30\",\n"
  " \"household\":{\"head_name\":\"Kouadio Yao\",\"head_sex\":\"male\",\"consent\":\"yes\",\n"
  "   \"farmer_status\":\"owner\"%s},\n"
  " \"children\":{\"child\":[{\"identity\":{\"name\":\"Kouadio Ama\",\"sex\":\"female\",\"age\":\"12\"},\n"
  "   \"relationship\":\"son_daughter\",\"present\":\"yes\",\"birth_certificate\":\"yes\",\n"
  "   \"school\":{\"in_school\":\"yes\",\"grade\":\"primary_5\",\"days_missed\":\"0\"},\n"
  "   \"work\":{\"econ\":{\"worked_7d\":\"yes\",\"hours_7d\":\"10\"},\"tasks_7d\":\"heavy_loads\",\n"
  "     \"tasks_12m\":\"heavy_loads\",\"night_work\":\"no\",\"hazard_conditions\":\"none\",\n"
  "     \"injury\":{\"injured_12m\":\"no\"},\"abuse\":\"none\",\"chores_hours_7d\":\"5\"},\n"
  "   \"wfcl\":{\"brought_for_work\":\"no\",\"not_free\":\"no\",\"works_off_debt\":\"no\",\n"
  "     \"sexual_exploitation\":\"no\",\"illicit_activities\":\"no\",\"armed_recruitment\":\"no\"},\n"
  "   \"danger\":{\"immediate_danger\":\"no\"}}]}}\n";

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
  g_autofree char *form_v2 = household_form_with_question ("2");
  g_autofree char *form_v3 = household_form_with_question ("3");
  g_autofree char *form_path = write_file (f, "household_visit.xml", form_v2);
  g_autofree char *form3_path = write_file (f, "household_visit_3.xml", form_v3);
  g_autofree char *shipped_rules = read_source ("assets/rules/ci.json");
  g_autofree char *rules = replace_once (shipped_rules, "\"version\": \"2026.1\"", "\"version\": \"2026.2\"");
  g_autofree char *rules_path = write_file (f, "ci.json", rules);
  g_autofree char *with_water = g_strdup_printf (answers_json, ",\"water_source\":\"borehole\"");
  g_autofree char *answers_path = write_file (f, "answers.json", with_water);
  g_autofree char *code = NULL;
  g_autofree char *facilitator = NULL;
  g_autofree char *draft = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *list = NULL;
  g_autoptr(JsonObject) visit = NULL;
  JsonObject *household;

  g_free (sync_test_run_ok (sync_test_cli (), "--db", f->device, "init", "--community", "Kragui", "--country", "ci",
                            "--facilitator", "Awa Koné,female,482193", "--supervisor", "Yao Kouassi,male,999999",
                            NULL));
  facilitator = device_text (f->device, "SELECT id FROM facilitators WHERE role = 'facilitator'");
  code = sync_test_enroll_code (f->server_db, "all");
  g_free (sync_test_run_ok (sync_test_cli (), "--db", f->device, "enroll", "--server", f->server.url,
                            "--code", code, "--name", "tablet", NULL));

  /* before: only the built-in versions, and the new question is unknown */
  list = forms_list (f);
  g_assert_nonnull (strstr (list, "form household_visit 1 built-in current\n"));
  g_assert_nonnull (strstr (list, "rule_set ci 2026.1 built-in current\n"));
  g_assert_cmpint (run_full (&out, &err, sync_test_cli (), "--db", f->device, "visit", "--form", "household_visit",
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
    draft = clmrs_store_draft_create (store, "household", "household_visit", "1", facilitator, community,
                                      NULL, NULL, &error);
    g_assert_no_error (error);
  }

  out = sync_test_run_ok (sync_test_server_program (), "publish", "--db", f->server_db, form_path, NULL);
  g_assert_nonnull (strstr (out, "published form household_visit@2"));
  g_clear_pointer (&out, g_free);
  out = sync_test_run_ok (sync_test_server_program (), "publish", "--db", f->server_db, rules_path, NULL);
  g_assert_nonnull (strstr (out, "published rule_set ci@2026.2"));
  g_clear_pointer (&out, g_free);

  g_free (sync_test_run_ok (sync_test_cli (), "--db", f->device, "sync", NULL));
  g_clear_pointer (&list, g_free);
  list = forms_list (f);
  g_assert_nonnull (strstr (list, "form household_visit 1 built-in\n"));
  g_assert_nonnull (strstr (list, "form household_visit 2 published current\n"));
  g_assert_nonnull (strstr (list, "rule_set ci 2026.1 built-in\n"));
  g_assert_nonnull (strstr (list, "rule_set ci 2026.2 published current\n"));
  g_assert_nonnull (strstr (list, "form follow_up_visit 1 built-in current\n"));

  /* the draft still opens on version 1 (without the question), a new
   * visit on version 2 */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ClmrsStore) store = clmrs_store_open (f->device, &error);
    g_autofree char *version = device_text (f->device, "SELECT form_version FROM visits WHERE state = 'draft'");
    g_autoptr(ClmrsForm) old = clmrs_catalog_load_form (store, "household_visit", version, NULL, &error);
    g_autoptr(ClmrsForm) newest = clmrs_catalog_form_for_visit (store, "household", &error);
    g_autoptr(ClmrsFormSession) old_session = NULL;
    g_autoptr(ClmrsFormSession) new_session = NULL;

    g_assert_no_error (error);
    g_assert_cmpstr (version, ==, "1");
    g_assert_cmpstr (clmrs_form_get_version (old), ==, "1");
    g_assert_cmpstr (clmrs_form_get_version (newest), ==, "2");
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
    g_autofree char *without = g_strdup_printf (answers_json, "");
    g_autofree char *without_path = write_file (f, "without.json", without);

    g_assert_cmpint (run_full (&out, &err, sync_test_cli (), "--db", f->device, "visit", "--form", "household_visit",
                               "--facilitator", facilitator, without_path, NULL), ==, 3);
    g_assert_nonnull (strstr (err, "/household_visit/household/water_source"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  out = sync_test_run_ok (sync_test_cli (), "--db", f->device, "visit", "--form", "household_visit",
                          "--facilitator", facilitator, answers_path, NULL);
  g_assert_nonnull (strstr (out, "with form household_visit@2 and rules ci@2026.2"));
  g_assert_nonnull (strstr (out, "Kouadio Ama (12): "));
  g_clear_pointer (&out, g_free);
  g_free (sync_test_run_ok (sync_test_cli (), "--db", f->device, "sync", NULL));

  /* the server's export: the answer, the form version, the rules */
  visit = exported_visit (f);
  g_assert_cmpstr (json_object_get_string_member (visit, "schema"), ==, "household_visit@2");
  g_assert_cmpstr (json_object_get_string_member (visit, "rules"), ==, "ci@2026.2");
  household = json_object_get_object_member (json_object_get_object_member (json_object_get_object_member (visit, "body"),
                                                                            "answers"), "household");
  g_assert_cmpstr (json_object_get_string_member (household, "water_source"), ==, "borehole");

  /* a third version: the device keeps the second (its record names it) */
  g_free (sync_test_run_ok (sync_test_server_program (), "publish", "--db", f->server_db, form3_path, NULL));
  g_free (sync_test_run_ok (sync_test_cli (), "--db", f->device, "sync", NULL));
  g_clear_pointer (&list, g_free);
  list = forms_list (f);
  g_assert_nonnull (strstr (list, "form household_visit 1 built-in\n"
                                  "form household_visit 2 published\n"
                                  "form household_visit 3 published current\n"));
}

int
main (int    argc,
      char **argv)
{
  g_setenv ("CLMRS_TODAY", "2026-06-30", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/publish/end-to-end", Fixture, NULL, fixture_setup, test_published_form_end_to_end,
              fixture_teardown);
  return g_test_run ();
}
