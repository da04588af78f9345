/* test-cli-classify.c: `clmrs classify` keeps line order, reports bad lines in place and exits with the documented status. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "cli-run.h"

#include "assets.h"

static const char good_9[] =
  "{\"age\": 9, \"sex\": \"male\", \"in_school\": true, \"econ_hours_7d\": 12,"
  " \"chores_hours_7d\": 0, \"night_work_7d\": false, \"tasks_7d\": [], \"tasks_12m\": [],"
  " \"hazard_conditions\": [], \"abuse\": [], \"wfcl_signals\": [], \"immediate_danger\": false}";
static const char good_16[] =
  "{\"age\": 16, \"sex\": \"female\", \"in_school\": true, \"econ_hours_7d\": 10,"
  " \"chores_hours_7d\": 3, \"night_work_7d\": false, \"tasks_7d\": [\"drying_beans\"],"
  " \"tasks_12m\": [], \"hazard_conditions\": [], \"abuse\": [], \"wfcl_signals\": [],"
  " \"immediate_danger\": false}";
static const char hazardous_14[] =
  "{\"age\": 14, \"sex\": \"female\", \"in_school\": false, \"econ_hours_7d\": 5,"
  " \"chores_hours_7d\": 0, \"night_work_7d\": false, \"tasks_7d\": [\"land_clearing\"],"
  " \"tasks_12m\": [], \"hazard_conditions\": [], \"abuse\": [], \"wfcl_signals\": [],"
  " \"immediate_danger\": false}";
static const char missing_econ[] =
  "{\"age\": 12, \"sex\": \"male\", \"in_school\": true,"
  " \"chores_hours_7d\": 0, \"night_work_7d\": false, \"tasks_7d\": [], \"tasks_12m\": [],"
  " \"hazard_conditions\": [], \"abuse\": [], \"wfcl_signals\": [], \"immediate_danger\": false}";
static const char unknown_task[] =
  "{\"age\": 12, \"sex\": \"male\", \"in_school\": true, \"econ_hours_7d\": 1,"
  " \"chores_hours_7d\": 0, \"night_work_7d\": false, \"tasks_7d\": [\"juggling\"], \"tasks_12m\": [],"
  " \"hazard_conditions\": [], \"abuse\": [], \"wfcl_signals\": [], \"immediate_danger\": false}";

static GStrv
output_lines (const char *out)
{
  g_assert_true (out[0] == '\0' || g_str_has_suffix (out, "\n"));
  if (out[0] == '\0')
    return g_new0 (char *, 1);
  {
    g_autofree char *trimmed = g_strndup (out, strlen (out) - 1);
    return g_strsplit (trimmed, "\n", -1);
  }
}

static JsonObject *
parse_object (const char *line,
              JsonNode  **keep)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, line, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  *keep = json_node_copy (json_parser_get_root (parser));
  return json_node_get_object (*keep);
}

static void
assert_status (const char *line,
               const char *status,
               const char *rules)
{
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object = parse_object (line, &node);

  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, status);
  g_assert_cmpstr (json_object_get_string_member (object, "rules"), ==, rules);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "reasons")), >, 0);
  g_assert_true (json_object_has_member (object, "recall"));
  g_assert_true (json_object_has_member (object, "supports"));
}

static void
assert_error_line (const char *line,
                   gint64      number,
                   const char *field,
                   const char *message_start)
{
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object = parse_object (line, &node);
  JsonObject *error;

  g_assert_cmpuint (json_object_get_size (object), ==, 1);
  error = json_object_get_object_member (object, "error");
  g_assert_nonnull (error);
  g_assert_cmpint (json_object_get_int_member (error, "line"), ==, number);
  if (field == NULL)
    g_assert_true (json_object_get_null_member (error, "field"));
  else
    g_assert_cmpstr (json_object_get_string_member (error, "field"), ==, field);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (error, "message"), message_start));
}

static void
test_good_lines (void)
{
  const char * const args[] = { "classify", "--rules", "gh", NULL };
  g_autofree char *input = g_strdup_printf ("%s\n%s\n%s\n{\"age\": 3}\n", good_9, good_16,
                                            hazardous_14);
  g_autofree char *out = NULL, *err = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_cmpint (run_cli (args, input, &out, &err), ==, 0);
  g_assert_cmpstr (err, ==, "");
  lines = output_lines (out);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  assert_status (lines[0], "child_labour", "gh@2026.2");
  assert_status (lines[1], "not_in_child_labour", "gh@2026.2");
  assert_status (lines[2], "hazardous_child_labour", "gh@2026.2");
  assert_status (lines[3], "out_of_scope", "gh@2026.2");
  g_assert_nonnull (strstr (lines[0], "12 h of economic work in the last 7 days at age 9: "
                                      "any work of 1 h or more under 13 is child labour (gh)"));
  g_assert_nonnull (strstr (lines[2], "\"item\":\"land_clearing\""));
}

/* The same profile under each rule set gives that set's answer. */
static void
test_each_rule_set (void)
{
  static const struct { const char *rules, *status; } sets[] = {
    { "ilo", "not_in_child_labour" },   /* 12-14 band: 13 h is under 14 */
    { "gh", "child_labour" },           /* 12 is below Ghana's light-work age 13 */
    { "ci", "child_labour" },
  };
  const char *profile =
    "{\"age\": 12, \"sex\": \"male\", \"in_school\": true, \"econ_hours_7d\": 13,"
    " \"chores_hours_7d\": 0, \"night_work_7d\": false, \"tasks_7d\": [], \"tasks_12m\": [],"
    " \"hazard_conditions\": [], \"abuse\": [], \"wfcl_signals\": [], \"immediate_danger\": false}\n";

  for (guint i = 0; i < G_N_ELEMENTS (sets); i++)
    {
      const char * const args[] = { "classify", "--rules", sets[i].rules, NULL };
      g_autofree char *out = NULL, *err = NULL;
      /* gh and ci 2026.2: the cutlass age and the provisional entries */
  g_autofree char *rules = g_strdup_printf ("%s@%s", sets[i].rules,
                                             "2026.2");
      g_auto(GStrv) lines = NULL;

      g_assert_cmpint (run_cli (args, profile, &out, &err), ==, 0);
      lines = output_lines (out);
      g_assert_cmpuint (g_strv_length (lines), ==, 1);
      assert_status (lines[0], sets[i].status, rules);
    }
}

/* A result that rests only on a provisional entry of the rule set says so,
 * in the reason's words and as "provisional": true (issue 11, items 7-8). */
static void
test_provisional (void)
{
  const char * const ci[] = { "classify", "--rules", "ci", NULL };
  const char * const gh[] = { "classify", "--rules", "gh", NULL };
  const char *base = "\"sex\": \"male\", \"in_school\": true, \"econ_hours_7d\": 3,"
    " \"chores_hours_7d\": 0, \"night_work_7d\": false, \"tasks_12m\": [],"
    " \"hazard_conditions\": [], \"abuse\": [], \"wfcl_signals\": [], \"immediate_danger\": false";
  g_autofree char *ci_in = g_strdup_printf ("{\"age\": 14, \"tasks_7d\": [\"fermenting_beans\"], %s}\n"
                                            "{\"age\": 14, \"tasks_7d\": [\"planting\"], %s}\n", base, base);
  g_autofree char *gh_in = g_strdup_printf ("{\"age\": 16, \"tasks_7d\": [\"machete_weeding\"], %s}\n"
                                            "{\"age\": 14, \"tasks_7d\": [\"machete_weeding\"], %s}\n", base, base);
  g_autofree char *out = NULL, *err = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_cmpint (run_cli (ci, ci_in, &out, &err), ==, 0);
  lines = output_lines (out);
  assert_status (lines[0], "child_labour", "ci@2026.2");
  g_assert_nonnull (strstr (lines[0], "\"provisional\":true"));
  g_assert_nonnull (strstr (lines[0], "not on the permitted light-work list for ages 13-15; provisional: "));
  assert_status (lines[1], "not_in_child_labour", "ci@2026.2");
  g_assert_null (strstr (lines[1], "provisional"));
  g_clear_pointer (&lines, g_strfreev);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Ghana: the cutlass at 16 is permitted work, on a provisional entry; at 14 hazardous */
  g_assert_cmpint (run_cli (gh, gh_in, &out, &err), ==, 0);
  lines = output_lines (out);
  assert_status (lines[0], "not_in_child_labour", "gh@2026.2");
  g_assert_nonnull (strstr (lines[0], "machete weeding is permitted from 15; provisional: "));
  g_assert_nonnull (strstr (lines[0], "\"provisional\":true"));
  assert_status (lines[1], "hazardous_child_labour", "gh@2026.2");
  g_assert_nonnull (strstr (lines[1], "a hazardous task, prohibited under 15 (gh)"));
  g_assert_null (strstr (lines[1], "provisional"));
}

static void
test_bad_lines (void)
{
  const char * const args[] = { "classify", "--rules", "ci", NULL };
  g_autofree char *input = g_strdup_printf ("%s\n"          /* 1 */
                                            "\n"            /* 2: blank, skipped */
                                            "not json\n"    /* 3 */
                                            "[1, 2]\n"      /* 4 */
                                            "   \t \n"      /* 5: blank, skipped */
                                            "%s\n"          /* 6 */
                                            "%s\n"          /* 7 */
                                            "{\"age\": \"nine\"}\n" /* 8 */
                                            "%s",           /* 9, no final newline */
                                            good_9, missing_econ, unknown_task, good_16);
  g_autofree char *out = NULL, *err = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_cmpint (run_cli (args, input, &out, &err), ==, 3);
  lines = output_lines (out);
  g_assert_cmpuint (g_strv_length (lines), ==, 7);
  assert_status (lines[0], "child_labour", "ci@2026.2");
  assert_error_line (lines[1], 3, NULL, "not valid JSON: ");
  assert_error_line (lines[2], 4, NULL, "expected a JSON object");
  assert_error_line (lines[3], 6, "econ_hours_7d", "econ_hours_7d: missing");
  assert_error_line (lines[4], 7, "tasks_7d", "tasks_7d: unknown code 'juggling'");
  assert_error_line (lines[5], 8, "age", "age: expected an integer, got string");
  assert_status (lines[6], "not_in_child_labour", "ci@2026.2");

  g_assert_nonnull (strstr (err, "line 3: not valid JSON"));
  g_assert_nonnull (strstr (err, "line 4: expected a JSON object"));
  g_assert_nonnull (strstr (err, "line 6: econ_hours_7d: missing"));
  g_assert_nonnull (strstr (err, "line 7: tasks_7d: unknown code 'juggling'"));
  g_assert_nonnull (strstr (err, "line 8: age: expected an integer, got string"));
  g_assert_null (strstr (err, "line 1:"));
  g_assert_null (strstr (err, "line 9:"));
}

static void
test_empty_input (void)
{
  const char * const args[] = { "classify", "--rules", "ilo", NULL };
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (run_cli (args, "", &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (args, "\n\n  \n", &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpstr (err, ==, "");
}

static void
test_usage_errors (void)
{
  static const struct {
    const char *args[5];
    int status;
    const char *stderr_part;
  } cases[] = {
    { { "classify", NULL }, 2, "--rules NAME|FILE is required" },
    { { "classify", "--rules", "fr", NULL }, 2, "no built-in rule set 'fr' (built in: ci, gh, ilo)" },
    { { "classify", "--rules", "gh", "extra", NULL }, 2, "unexpected argument 'extra'" },
    { { "classify", "--colour", NULL }, 2, "Unknown option --colour" },
    { { "classify", "--rules", "/nonexistent/rules.json", NULL }, 1, "/nonexistent/rules.json: cannot read the rule set" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL, *err = NULL;

      g_assert_cmpint (run_cli (cases[i].args, good_9, &out, &err), ==, cases[i].status);
      g_assert_cmpstr (out, ==, "");
      g_assert_nonnull (strstr (err, cases[i].stderr_part));
    }
}

static void
test_rule_files (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("clmrs-cli-classify-XXXXXX", &error);
  g_autofree char *good = NULL, *bad = NULL, *text = NULL, *badtext = NULL;
  g_autoptr(GBytes) bytes = clmrs_assets_lookup ("rules/gh.json", NULL);
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  /* A national variant: Ghana with its own id and light-work age 12. */
  g_assert_nonnull (strstr (text, "\"id\": \"gh\""));
  g_assert_nonnull (strstr (text, "\"min_age_light_work\": 13"));
  {
    g_autoptr(GString) edited = g_string_new (text);
    g_string_replace (edited, "\"id\": \"gh\"", "\"id\": \"gh-test\"", 1);
    g_string_replace (edited, "\"min_age_light_work\": 13", "\"min_age_light_work\": 12", 1);
    g_free (text);
    text = g_string_free (g_steal_pointer (&edited), FALSE);
  }
  badtext = g_strdup ("{\"format\": 1, \"id\": \"x\", \"version\": \"1\", \"label\": \"x\","
                      " \"sources\": [\"x\"], \"parameters\": {\"min_age_light_work\": \"13\"}}");
  good = g_build_filename (dir, "gh-test.json", NULL);
  bad = g_build_filename (dir, "bad.json", NULL);
  g_assert_true (g_file_set_contents (good, text, -1, NULL));
  g_assert_true (g_file_set_contents (bad, badtext, -1, NULL));

  {
    const char * const args[] = { "classify", "--rules", good, NULL };
    const char *profile =
      "{\"age\": 12, \"sex\": \"male\", \"in_school\": true, \"econ_hours_7d\": 13,"
      " \"chores_hours_7d\": 0, \"night_work_7d\": false, \"tasks_7d\": [], \"tasks_12m\": [],"
      " \"hazard_conditions\": [], \"abuse\": [], \"wfcl_signals\": [], \"immediate_danger\": false}\n";

    g_assert_cmpint (run_cli (args, profile, &out, &err), ==, 0);
    lines = output_lines (out);
    g_assert_cmpuint (g_strv_length (lines), ==, 1);
    assert_status (lines[0], "not_in_child_labour", "gh-test@2026.2");
  }
  {
    const char * const args[] = { "classify", "--rules", bad, NULL };
    g_autofree char *want = g_strdup_printf ("%s: parameters.min_age_light_work: expected an integer, got string", bad);

    g_assert_cmpint (run_cli (args, good_9, &out2, &err2), ==, 2);
    g_assert_cmpstr (out2, ==, "");
    g_assert_nonnull (strstr (err2, want));
  }
  g_remove (good);
  g_remove (bad);
  g_rmdir (dir);
}

/* stdout that cannot be written (a full disk) is an I/O failure. */
static void
test_stdout_full (void)
{
  const char *cli = g_getenv ("CLMRS_CLI");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;

  if (!g_file_test ("/dev/full", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no /dev/full");
      return;
    }
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_stdout_file_path (launcher, "/dev/full");
  process = g_subprocess_launcher_spawn (launcher, &error, cli, "classify", "--rules", "gh", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, good_9, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 1);
  g_assert_nonnull (strstr (err, "cannot write stdout"));
}

static void
test_help (void)
{
  const char * const args[] = { "classify", "--help", NULL };
  const char * const top[] = { "--help", NULL };
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL;

  g_assert_cmpint (run_cli (args, NULL, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "{\"error\":{\"line\":N,\"field\":\"NAME\"|null,\"message\":\"...\"}}"));
  g_assert_nonnull (strstr (out, "--rules"));
  g_assert_nonnull (strstr (out, "ilo, gh, ci"));
  g_assert_nonnull (strstr (out, "Blank lines are skipped"));
  g_assert_nonnull (strstr (out, "Exit status: 0 every line classified; 3 some line was bad"));
  g_assert_nonnull (strstr (out, "2 usage"));
  g_assert_nonnull (strstr (out, "1 I/O"));

  g_assert_cmpint (run_cli (top, NULL, &out2, &err2), ==, 0);
  g_assert_nonnull (strstr (out2, "  classify "));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/classify/good-lines", test_good_lines);
  g_test_add_func ("/cli/classify/each-rule-set", test_each_rule_set);
  g_test_add_func ("/cli/classify/bad-lines", test_bad_lines);
  g_test_add_func ("/cli/classify/provisional", test_provisional);
  g_test_add_func ("/cli/classify/empty-input", test_empty_input);
  g_test_add_func ("/cli/classify/usage-errors", test_usage_errors);
  g_test_add_func ("/cli/classify/rule-files", test_rule_files);
  g_test_add_func ("/cli/classify/stdout-full", test_stdout_full);
  g_test_add_func ("/cli/classify/help", test_help);

  return g_test_run ();
}
