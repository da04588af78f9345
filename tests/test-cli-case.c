/* test-cli-case.c: `clmrs case` gives a child's case from their history, with the reasons, for each rule of issue #11. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "cli-run.h"
#include "demo.h"
#include "device.h"

/* Identified in hazardous child labour at a household visit on 2024-01-15. */
#define CHILD "{\"type\":\"child\",\"birth_date\":\"2012-03-10\"}\n"
#define IDENTIFIED "{\"type\":\"assessment\",\"date\":\"2024-01-15\",\"status\":\"hazardous_child_labour\"}\n"
/* A follow-up of the current form: recall asked, nothing hazardous, in school. */
#define CLEAN(date, status) \
  "{\"type\":\"follow_up\",\"date\":\"" date "\",\"status\":\"" status "\",\"in_school\":true," \
  "\"hazardous_task_since_last_visit\":false}\n"

/* The case of @history on @today; the object is kept in *@keep. */
static JsonObject *
run_case (const char  *history,
          const char  *today,
          const char  *rules_file,
          JsonNode   **keep)
{
  const char * const args[] = { "case", "--today", today, rules_file ? "--case-rules" : NULL, rules_file, NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (run_cli (args, history, &out, &err), ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_assert_true (g_str_has_suffix (out, "\n"));
  g_assert_true (strchr (out, '\n') == out + strlen (out) - 1);   /* one line */
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  *keep = json_node_copy (json_parser_get_root (parser));
  return json_node_get_object (*keep);
}

/* TRUE when one of the case's reasons contains @text. */
static gboolean
has_reason (JsonObject *kase,
            const char *text)
{
  JsonArray *reasons = json_object_get_array_member (kase, "reasons");

  for (guint i = 0; i < json_array_get_length (reasons); i++)
    if (strstr (json_array_get_string_element (reasons, i), text) != NULL)
      return TRUE;
  return FALSE;
}

static void
assert_status (JsonObject *kase,
               const char *status)
{
  if (g_strcmp0 (json_object_get_string_member (kase, "status"), status) != 0)
    {
      JsonArray *reasons = json_object_get_array_member (kase, "reasons");

      for (guint i = 0; i < json_array_get_length (reasons); i++)
        g_test_message ("%s", json_array_get_string_element (reasons, i));
    }
  g_assert_cmpstr (json_object_get_string_member (kase, "status"), ==, status);
}

/* Item 1: two clean follow-ups a day apart do not exit; six months apart
 * with the child in school they do. */
static void
test_interval (void)
{
  g_autoptr(JsonNode) a = NULL, b = NULL;
  JsonObject *kase;

  kase = run_case (CHILD IDENTIFIED CLEAN ("2024-01-15", "not_in_child_labour")
                   CLEAN ("2024-01-16", "not_in_child_labour"), "2024-02-01", NULL, &a);
  assert_status (kase, "identified");
  g_assert_cmpint (json_object_get_int_member (kase, "n_clean_follow_ups"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (kase, "n_early_follow_ups"), ==, 2);
  g_assert_true (has_reason (kase, "2024-01-16: clean follow-up too soon after 2024-01-15"));

  kase = run_case (CHILD IDENTIFIED CLEAN ("2024-07-15", "not_in_child_labour")
                   CLEAN ("2025-01-15", "at_risk"), "2025-02-01", NULL, &b);
  assert_status (kase, "exited");
  g_assert_cmpstr (json_object_get_string_member (kase, "exit_date"), ==, "2025-01-15");
  g_assert_true (has_reason (kase, "2025-01-15: clean follow-up, 2 in a row, alternative: school: exited"));
}

/* Item 1: two clean follow-ups two years apart: the window was missed and
 * the run restarted; a missed window shows as missed. */
static void
test_missed_window (void)
{
  g_autoptr(JsonNode) a = NULL, b = NULL;
  JsonObject *kase;

  kase = run_case (CHILD IDENTIFIED CLEAN ("2024-07-15", "not_in_child_labour")
                   CLEAN ("2026-07-15", "not_in_child_labour"), "2026-08-01", NULL, &a);
  assert_status (kase, "identified");
  g_assert_cmpint (json_object_get_int_member (kase, "n_clean_follow_ups"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (kase, "n_missed_windows"), ==, 1);
  g_assert_true (has_reason (kase, "2026-07-15: follow-up after its window (it ended on 2025-03-15): missed,"
                                   " the run of 1 clean follow-up(s) restarts"));

  kase = run_case (CHILD IDENTIFIED, "2024-09-16", NULL, &b);
  assert_status (kase, "follow_up_missed");
  g_assert_true (json_object_get_boolean_member (kase, "follow_up_missed"));
  g_assert_cmpstr (json_object_get_string_member (kase, "window_end_date"), ==, "2024-09-15");
}

/* Item 1: no exit without an alternative (school, training or permitted
 * work); a vocational training delivered is one. */
static void
test_alternative (void)
{
  g_autoptr(JsonNode) a = NULL, b = NULL, c = NULL;
  JsonObject *kase;
  const char *out_of_school =
    "{\"type\":\"follow_up\",\"date\":\"2024-07-15\",\"status\":\"at_risk\",\"in_school\":false,"
    "\"hazardous_task_since_last_visit\":false}\n"
    "{\"type\":\"follow_up\",\"date\":\"2025-01-15\",\"status\":\"at_risk\",\"in_school\":false,"
    "\"hazardous_task_since_last_visit\":false}\n";
  g_autofree char *plain = g_strconcat (CHILD IDENTIFIED, out_of_school, NULL);
  g_autofree char *training = g_strconcat (CHILD IDENTIFIED, out_of_school,
                                           "{\"type\":\"support\",\"date\":\"2024-03-01\","
                                           "\"support_type\":\"vocational_training\"}\n", NULL);
  g_autofree char *planned = g_strconcat (CHILD IDENTIFIED, out_of_school,
                                          "{\"type\":\"support\",\"date\":\"2024-03-01\","
                                          "\"support_type\":\"vocational_training\",\"state\":\"planned\"}\n",
                                          NULL);

  kase = run_case (plain, "2025-02-01", NULL, &a);
  assert_status (kase, "identified");
  g_assert_true (has_reason (kase, "but no alternative in place (school, training or permitted work): not exited"));
  kase = run_case (training, "2025-02-01", NULL, &b);
  assert_status (kase, "exited");
  g_assert_true (has_reason (kase, "alternative: training: exited"));
  /* planned is not delivered: neither an alternative nor a support */
  kase = run_case (planned, "2025-02-01", NULL, &c);
  assert_status (kase, "identified");
  g_assert_cmpint (json_object_get_int_member (kase, "n_supports_planned"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (kase, "n_support_types"), ==, 0);
}

/* Item 11: a support planned and neither given nor declined after the
 * programme's number of days (60 by default) is overdue, with a reason to
 * reconcile it; a given or declined one is not, nor one planned lately;
 * the case rules file sets the number of days. */
static void
test_support_overdue (void)
{
  g_autoptr(JsonNode) a = NULL, b = NULL, c = NULL, d = NULL;
  g_autofree char *dir = g_dir_make_tmp ("clmrs-case-XXXXXX", NULL);
  g_autofree char *rules = g_build_filename (dir, "rules.json", NULL);
  JsonObject *kase;
  const char *history = CHILD IDENTIFIED
    "{\"type\":\"support\",\"date\":\"2024-02-01\",\"support_type\":\"school_kit\",\"state\":\"planned\"}\n"
    "{\"type\":\"support\",\"date\":\"2024-02-01\",\"support_type\":\"birth_certificate\",\"state\":\"declined\"}\n"
    "{\"type\":\"support\",\"date\":\"2024-02-01\",\"support_type\":\"school_fees\"}\n"
    "{\"type\":\"support\",\"date\":\"2024-03-20\",\"support_type\":\"bicycle\",\"state\":\"planned\"}\n";

  /* 2024-04-02 is 61 days after 2024-02-01 */
  kase = run_case (history, "2024-04-01", NULL, &a);
  g_assert_cmpint (json_object_get_int_member (kase, "n_supports_planned"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (kase, "n_supports_overdue"), ==, 0);
  kase = run_case (history, "2024-04-02", NULL, &b);
  g_assert_cmpint (json_object_get_int_member (kase, "n_supports_overdue"), ==, 1);
  g_assert_true (has_reason (kase, "support school_kit planned on 2024-02-01, neither given nor declined after 60 days"));
  g_assert_false (has_reason (kase, "support bicycle"));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (kase, "case_rules"),
                                               "support_overdue_days"), ==, 60);
  kase = run_case (history, "2024-06-01", NULL, &c);
  g_assert_cmpint (json_object_get_int_member (kase, "n_supports_overdue"), ==, 2);
  g_assert_true (g_file_set_contents (rules, "{\"support_overdue_days\": 150}", -1, NULL));
  kase = run_case (history, "2024-06-01", rules, &d);
  g_assert_cmpint (json_object_get_int_member (kase, "n_supports_overdue"), ==, 0);
  g_unlink (rules);
  g_rmdir (dir);
}

/* Item 2: at_risk is not out of child labour when a hazardous task was
 * done since the last visit, or when that recall was not asked. */
static void
test_since_last_visit (void)
{
  g_autoptr(JsonNode) a = NULL, b = NULL;
  JsonObject *kase;

  kase = run_case (CHILD IDENTIFIED CLEAN ("2024-07-15", "not_in_child_labour")
                   "{\"type\":\"follow_up\",\"date\":\"2025-01-15\",\"status\":\"at_risk\",\"in_school\":true,"
                   "\"hazardous_task_since_last_visit\":true}\n", "2025-02-01", NULL, &a);
  assert_status (kase, "identified");
  g_assert_cmpint (json_object_get_int_member (kase, "n_clean_follow_ups"), ==, 0);
  g_assert_true (has_reason (kase, "2025-01-15: follow-up found at_risk but a hazardous task since the last visit"));

  kase = run_case (CHILD IDENTIFIED CLEAN ("2024-07-15", "not_in_child_labour")
                   "{\"type\":\"follow_up\",\"date\":\"2025-01-15\",\"status\":\"at_risk\",\"in_school\":true}\n",
                   "2025-02-01", NULL, &b);
  assert_status (kase, "identified");
  g_assert_true (has_reason (kase, "since-last-visit recall was not asked"));
}

/* Item 2 through `clmrs classify`: a follow-up's tasks since the last
 * visit give the reason the case rules read (hazardous_task_since_last_visit)
 * when the 7-day recall does not already show the task. */
static void
test_classify_since_last_visit (void)
{
  const char * const args[] = { "classify", "--rules", "gh", NULL };
  const char *input =
    "{\"age\": 12, \"sex\": \"male\", \"in_school\": true, \"econ_hours_7d\": 0,"
    " \"chores_hours_7d\": 0, \"night_work_7d\": false, \"tasks_7d\": [], \"tasks_12m\": [\"land_clearing\"],"
    " \"tasks_since_last\": [\"land_clearing\"], \"hazard_conditions\": [], \"abuse\": [],"
    " \"wfcl_signals\": [], \"immediate_danger\": false}\n"
    "{\"age\": 12, \"sex\": \"male\", \"in_school\": true, \"econ_hours_7d\": 0,"
    " \"chores_hours_7d\": 0, \"night_work_7d\": false, \"tasks_7d\": [], \"tasks_12m\": [\"land_clearing\"],"
    " \"tasks_since_last\": [], \"hazard_conditions\": [], \"abuse\": [],"
    " \"wfcl_signals\": [], \"immediate_danger\": false}\n"
    "{\"age\": 12, \"sex\": \"male\", \"in_school\": true, \"econ_hours_7d\": 0,"
    " \"chores_hours_7d\": 0, \"night_work_7d\": false, \"tasks_7d\": [], \"tasks_12m\": [],"
    " \"tasks_since_last\": [\"juggling\"], \"hazard_conditions\": [], \"abuse\": [],"
    " \"wfcl_signals\": [], \"immediate_danger\": false}\n";
  g_autofree char *out = NULL, *err = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_cmpint (run_cli (args, input, &out, &err), ==, 3);
  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_nonnull (strstr (lines[0], "\"status\":\"at_risk\""));
  g_assert_nonnull (strstr (lines[0], "\"code\":\"hazardous_task_since_last_visit\""));
  g_assert_nonnull (strstr (lines[0], "since the last visit at age 12"));
  /* the same 12-month recall, nothing since the last visit */
  g_assert_nonnull (strstr (lines[1], "\"status\":\"at_risk\""));
  g_assert_null (strstr (lines[1], "hazardous_task_since_last_visit"));
  g_assert_nonnull (strstr (lines[2], "\"field\":\"tasks_since_last\""));
}

/* A task the rule set permits from an age (gh: machete_weeding from 15,
 * codes.tasks_permitted_from) is hazardous since the last visit below
 * that age only, as in the 7-day and 12-month recalls. */
static void
test_classify_since_last_visit_permitted_from (void)
{
  const char * const args[] = { "classify", "--rules", "gh", NULL };
#define PROFILE(age) \
    "{\"age\": " age ", \"sex\": \"male\", \"in_school\": true, \"econ_hours_7d\": 0," \
    " \"chores_hours_7d\": 0, \"night_work_7d\": false, \"tasks_7d\": [], \"tasks_12m\": []," \
    " \"tasks_since_last\": [\"machete_weeding\"], \"hazard_conditions\": [], \"abuse\": []," \
    " \"wfcl_signals\": [], \"immediate_danger\": false}\n"
  const char *input = PROFILE ("14") PROFILE ("15");
#undef PROFILE
  g_autofree char *out = NULL, *err = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_cmpint (run_cli (args, input, &out, &err), ==, 0);
  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_nonnull (strstr (lines[0], "\"code\":\"hazardous_task_since_last_visit\""));
  g_assert_null (strstr (lines[1], "hazardous_task_since_last_visit"));
}

/* Item 3: a closure ends the case and its follow-ups, with its reason. */
static void
test_closure (void)
{
  g_autoptr(JsonNode) a = NULL, b = NULL;
  JsonObject *kase;

  kase = run_case (CHILD IDENTIFIED
                   "{\"type\":\"follow_up\",\"date\":\"2024-07-15\",\"child_status\":\"moved\"}\n"
                   "{\"type\":\"closure\",\"date\":\"2024-08-01\",\"reason\":\"moved_out\"}\n",
                   "2025-06-01", NULL, &a);
  assert_status (kase, "closed");
  g_assert_cmpstr (json_object_get_string_member (kase, "closure_reason"), ==, "moved_out");
  g_assert_cmpstr (json_object_get_string_member (kase, "closure_date"), ==, "2024-08-01");
  g_assert_true (json_object_get_null_member (kase, "next_due_date"));
  g_assert_false (json_object_get_boolean_member (kase, "open"));

  kase = run_case (CHILD IDENTIFIED
                   "{\"type\":\"closure\",\"date\":\"2024-03-01\",\"reason\":\"duplicate\",\"merged_into\":\"C2\"}\n",
                   "2024-06-01", NULL, &b);
  assert_status (kase, "closed");
  g_assert_true (has_reason (kase, "2024-03-01: case closed: duplicate"));
}

/* Item 10: after the exit, a visit every year until 18. */
static void
test_monitoring_after_exit (void)
{
  g_autoptr(JsonNode) a = NULL, b = NULL;
  JsonObject *kase;
  const char *history = CHILD IDENTIFIED CLEAN ("2024-07-15", "not_in_child_labour")
                        CLEAN ("2025-01-15", "not_in_child_labour");

  kase = run_case (history, "2026-01-15", NULL, &a);
  assert_status (kase, "exited");
  g_assert_true (json_object_get_boolean_member (kase, "monitoring_due"));
  g_assert_cmpstr (json_object_get_string_member (kase, "next_due_date"), ==, "2026-01-15");
  /* at 18 (2030-03-10) monitoring stops */
  kase = run_case (history, "2030-03-10", NULL, &b);
  assert_status (kase, "exited");
  g_assert_false (json_object_get_boolean_member (kase, "monitoring_due"));
  g_assert_true (json_object_get_null_member (kase, "next_due_date"));
  g_assert_true (has_reason (kase, "no monitoring after 18"));
}

/* The case rules are a setting: a programme with 3-6 month follow-ups
 * (Tony's variant) and no alternative required. */
static void
test_case_rules_file (void)
{
  g_autoptr(JsonNode) a = NULL;
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "clmrs-case-rules-XXXXXX.json", NULL);
  const char *rules = "{\"follow_up_months\": 3, \"min_interval_months\": 2, \"max_interval_months\": 6,"
                      " \"exit_needs_alternative\": false}";
  const char * const bad_args[] = { "case", "--case-rules", NULL, NULL };
  g_autofree char *out = NULL, *err = NULL;
  JsonObject *kase;
  int fd;

  fd = g_mkstemp (path);
  g_assert_cmpint (fd, >=, 0);
  g_assert_true (g_file_set_contents (path, rules, -1, NULL));
  close (fd);
  kase = run_case (CHILD IDENTIFIED
                   "{\"type\":\"follow_up\",\"date\":\"2024-04-15\",\"status\":\"not_in_child_labour\"}\n"
                   "{\"type\":\"follow_up\",\"date\":\"2024-07-15\",\"status\":\"not_in_child_labour\"}\n",
                   "2024-08-01", path, &a);
  assert_status (kase, "exited");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (kase, "case_rules"),
                                               "max_interval_months"), ==, 6);

  g_assert_true (g_file_set_contents (path, "{\"max_interval_months\": 2}", -1, NULL));
  ((const char **) bad_args)[2] = path;
  g_assert_cmpint (run_cli (bad_args, "", &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "the window must hold the target interval"));
  g_unlink (path);
}

/* Item 13: the demo's summary is the indicators' figures, with relapses,
 * missed windows and closures among them. */
static void
test_demo_summary_is_the_indicators (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("clmrs-demo-XXXXXX", &error);
  g_autofree char *db = g_build_filename (dir, "demo.db", NULL);
  const char * const demo[] = { "--db", db, "demo", "--households", "200", "--seed", "3", NULL };
  g_autofree char *supervisor = NULL;
  g_autofree char *out = NULL, *err = NULL, *json = NULL, *err2 = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GRegex) regex = g_regex_new ("children \\((\\d+) found in child labour, (\\d+) of them at a farm visit\\)\n"
                                         "  cases: (\\d+) exited, (\\d+) relapsed, (\\d+) follow-up windows"
                                         " missed, (\\d+) closed\n"
                                         "  \\d+ household visits, (\\d+) farm visits", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  JsonObject *root, *cases, *status;
  g_auto(GStrv) numbers = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (run_cli (demo, "", &out, &err), ==, 0);
  g_assert_true (g_regex_match (regex, out, 0, &match));
  numbers = g_match_info_fetch_all (match);
  /* the demo's database is encrypted: its supervisor signs in (PIN 999999) */
  {
    g_autoptr(GPtrArray) people = clmrs_device_list_people (db, &error);

    g_assert_no_error (error);
    supervisor = g_strdup (((ClmrsKeyringPerson *) g_ptr_array_index (people, 0))->person_id);
  }
  {
    const char * const indicators[] = { "--db", db, "--person", supervisor, "--pin-fd", "0", "indicators", "--json", NULL };

    g_assert_cmpint (run_cli (indicators, CLMRS_DEMO_SUPERVISOR_PIN "\n", &json, &err2), ==, 0);
  }
  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  cases = json_object_get_object_member (root, "cases");
  status = json_object_get_object_member (cases, "status");
  g_assert_cmpint (g_ascii_strtoll (numbers[1], NULL, 10), ==, json_object_get_int_member (root, "children_ever_identified"));
  g_assert_cmpint (g_ascii_strtoll (numbers[2], NULL, 10), ==,
                   json_object_get_int_member (root, "children_identified_at_farm_visits"));
  g_assert_cmpint (g_ascii_strtoll (numbers[3], NULL, 10), ==,
                   json_object_get_int_member (json_object_get_object_member (cases, "exited_of_identified"), "numerator"));
  g_assert_cmpint (g_ascii_strtoll (numbers[4], NULL, 10), ==,
                   json_object_get_int_member (json_object_get_object_member (cases, "relapse"), "numerator"));
  g_assert_cmpint (g_ascii_strtoll (numbers[5], NULL, 10), ==, json_object_get_int_member (status, "follow_up_missed"));
  g_assert_cmpint (g_ascii_strtoll (numbers[6], NULL, 10), ==, json_object_get_int_member (status, "closed"));
  /* the demo holds each: relapses, missed windows, closures, farm visits
   * that make a share (10 to 35%) of the identifications */
  g_assert_cmpint (g_ascii_strtoll (numbers[4], NULL, 10), >, 0);
  g_assert_cmpint (g_ascii_strtoll (numbers[5], NULL, 10), >, 0);
  g_assert_cmpint (g_ascii_strtoll (numbers[7], NULL, 10), >, 0);
  g_assert_cmpint (g_ascii_strtoll (numbers[2], NULL, 10) * 100, >=, g_ascii_strtoll (numbers[1], NULL, 10) * 10);
  g_assert_cmpint (g_ascii_strtoll (numbers[2], NULL, 10) * 100, <=, g_ascii_strtoll (numbers[1], NULL, 10) * 35);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (cases, "closed_by_reason"),
                                               "moved_out"), >, 0);
  g_unlink (db);
  {
    g_autofree char *wal = g_strconcat (db, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db, "-shm", NULL);
    g_autofree char *keyring = g_strconcat (db, ".keyring", NULL);

    g_unlink (wal);
    g_unlink (shm);
    g_unlink (keyring);
  }
  g_rmdir (dir);
}

/* Bad lines: each reported in place with its line and field, no case. */
static void
test_bad_lines (void)
{
  const char * const args[] = { "case", "--today", "2024-06-01", NULL };
  const char * const bad_today[] = { "case", "--today", "2024-02-30", NULL };
  g_autofree char *out = NULL, *err = NULL;
  const char *input =
    CHILD
    "{\"type\":\"follow_up\",\"date\":\"2024-07-15\",\"statuz\":\"at_risk\"}\n"
    "\n"
    "{\"type\":\"closure\",\"date\":\"2024-08-01\",\"reason\":\"married\"}\n"
    "{\"type\":\"support\",\"date\":\"2024-13-01\",\"support_type\":\"iga\"}\n"
    "{\"type\":\"visit\"}\n"
    "[1]\n";

  g_assert_cmpint (run_cli (args, input, &out, &err), ==, 3);
  g_assert_cmpstr (out, ==,
                   "{\"error\":{\"line\":2,\"field\":\"statuz\",\"message\":\"unknown member “statuz” for this type\"}}\n"
                   "{\"error\":{\"line\":4,\"field\":\"reason\",\"message\":\"reason “married” is not deceased,"
                   " moved_out, consent_withdrawn, aged_out or duplicate\"}}\n"
                   "{\"error\":{\"line\":5,\"field\":\"date\",\"message\":\"date “2024-13-01” is not a YYYY-MM-DD date\"}}\n"
                   "{\"error\":{\"line\":6,\"field\":\"type\",\"message\":\"type must be child, assessment,"
                   " follow_up, support or closure\"}}\n"
                   "{\"error\":{\"line\":7,\"field\":null,\"message\":\"expected a JSON object (one record)\"}}\n");
  g_assert_nonnull (strstr (err, "clmrs case: line 2: unknown member"));

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (bad_today, "", &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "--today '2024-02-30' is not a YYYY-MM-DD date"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/case/interval", test_interval);
  g_test_add_func ("/cli/case/missed-window", test_missed_window);
  g_test_add_func ("/cli/case/alternative", test_alternative);
  g_test_add_func ("/cli/case/support-overdue", test_support_overdue);
  g_test_add_func ("/cli/case/since-last-visit", test_since_last_visit);
  g_test_add_func ("/cli/case/classify-since-last-visit", test_classify_since_last_visit);
  g_test_add_func ("/cli/case/classify-since-last-visit-permitted-from", test_classify_since_last_visit_permitted_from);
  g_test_add_func ("/cli/case/closure", test_closure);
  g_test_add_func ("/cli/case/monitoring-after-exit", test_monitoring_after_exit);
  g_test_add_func ("/cli/case/case-rules-file", test_case_rules_file);
  g_test_add_func ("/cli/case/bad-lines", test_bad_lines);
  g_test_add_func ("/cli/case/demo-summary-is-the-indicators", test_demo_summary_is_the_indicators);
  return g_test_run ();
}
