/* test-record-check.c: the body check devices and the server share, and the references it reads. */
#include "record.h"
#include "store.h"

#include <string.h>

typedef struct {
  ClmrsRecordType  type;
  const char      *body;
  const char      *error;   /* NULL: accepted */
} Case;

static const Case cases[] = {
  { CLMRS_RECORD_COMMUNITY, "{\"name\":\"Kragui\",\"district\":null,\"country\":\"ci\",\"profile\":{}}", NULL },
  { CLMRS_RECORD_COMMUNITY, "{\"district\":\"Soubré\"}", "body.name: missing" },
  { CLMRS_RECORD_COMMUNITY, "{\"name\":\"\"}", "body.name: expected a non-empty string" },
  { CLMRS_RECORD_COMMUNITY, "{\"name\":\"K\",\"profile\":[]}", "body.profile: expected an object" },
  { CLMRS_RECORD_HOUSEHOLD, "{\"head_name\":\"Ama\",\"head_sex\":null}", NULL },
  { CLMRS_RECORD_HOUSEHOLD, "{\"head_name\":7}", "body.head_name: expected a string" },
  { CLMRS_RECORD_HOUSEHOLD, "{\"head_name\":\"Ama\",\"head_sex\":\"f\"}", "body.head_sex: expected one of male, female" },
  { CLMRS_RECORD_CHILD, "{\"household_id\":\"h\",\"name\":\"Esi\",\"sex\":\"female\",\"dob\":\"2014-02-28\",\"age\":12,\"age_on\":\"2026-06-01\"}", NULL },
  { CLMRS_RECORD_CHILD, "{\"household_id\":\"h\",\"name\":\"Esi\",\"dob\":\"2014-02-30\"}", "body.dob: expected a date (YYYY-MM-DD)" },
  { CLMRS_RECORD_CHILD, "{\"household_id\":\"h\",\"name\":\"Esi\",\"age\":-1}", "body.age: expected an integer from 0 to 150" },
  { CLMRS_RECORD_CHILD, "{\"household_id\":\"h\",\"name\":\"Esi\",\"age\":\"12\"}", "body.age: expected an integer from 0 to 150" },
  { CLMRS_RECORD_VISIT, "{\"kind\":\"follow_up\",\"household_id\":\"h\",\"child_id\":\"c\",\"child_status\":\"present\","
                        "\"date\":\"2026-06-01\",\"answers\":{},\"assessments\":[{\"child_id\":\"c\",\"status\":\"hazardous_child_labour\","
                        "\"reasons\":[],\"profile\":{},\"rules\":\"gh@1\"}]}", NULL },
  { CLMRS_RECORD_VISIT, "{\"kind\":\"bogus\",\"date\":\"2026-06-01\"}",
    "body.kind: expected one of household, follow_up, support, awareness, community, closure, farm" },
  { CLMRS_RECORD_VISIT, "{\"kind\":\"closure\",\"child_id\":\"c\",\"date\":\"2026-06-01\","
                        "\"answers\":{\"child\":{\"closure_reason\":\"deceased\"}}}", NULL },
  { CLMRS_RECORD_VISIT, "{\"kind\":\"closure\",\"child_id\":\"c\",\"date\":\"2026-06-01\","
                        "\"answers\":{\"child\":{\"closure_reason\":\"married\"}}}",
    "body.answers.child.closure_reason: expected one of deceased, moved_out, consent_withdrawn, aged_out, duplicate" },
  { CLMRS_RECORD_VISIT, "{\"kind\":\"closure\",\"date\":\"2026-06-01\","
                        "\"answers\":{\"child\":{\"closure_reason\":\"deceased\"}}}", "body.child_id: missing" },
  { CLMRS_RECORD_VISIT, "{\"kind\":\"household\"}", "body.date: missing" },
  { CLMRS_RECORD_VISIT, "{\"kind\":\"household\",\"date\":\"2026-06-01\",\"child_status\":\"dead\"}",
    "body.child_status: expected one of present, moved, lost" },
  { CLMRS_RECORD_VISIT, "{\"kind\":\"household\",\"date\":\"2026-06-01\",\"assessments\":[{\"child_id\":\"c\",\"status\":\"fine\"}]}",
    "body.assessments[0].status: not a status this device knows" },
  { CLMRS_RECORD_VISIT, "{\"kind\":\"household\",\"date\":\"2026-06-01\",\"assessments\":[{\"status\":\"hazardous_child_labour\"}]}",
    "body.assessments[0].child_id: missing" },
  { CLMRS_RECORD_VISIT, "{\"kind\":\"household\",\"date\":\"2026-06-01\",\"assessments\":{}}",
    "body.assessments: expected an array" },
  { CLMRS_RECORD_SUPPORT, "{\"level\":\"child\",\"type\":\"school_kit\",\"date\":\"2026-06-01\",\"child_id\":\"c\"}", NULL },
  { CLMRS_RECORD_SUPPORT, "{\"level\":\"village\",\"type\":\"school_kit\",\"date\":\"2026-06-01\"}",
    "body.level: expected one of child, household, community, referral" },
  { CLMRS_RECORD_SUPPORT, "{\"level\":\"child\",\"date\":\"2026-06-01\"}", "body.type: missing" },
  { CLMRS_RECORD_AWARENESS_SESSION, "{\"date\":\"2026-06-01\",\"level\":\"community\",\"men\":3,\"women\":4,\"boys\":0,\"girls\":1}", NULL },
  { CLMRS_RECORD_AWARENESS_SESSION, "{\"date\":\"2026-06-01\",\"men\":-3}", "body.men: expected an integer from 0 to 100000" },
  { CLMRS_RECORD_REVIEW, "{\"visit_id\":\"v\",\"visit_rev\":1,\"decision\":\"returned\",\"message\":\"Ask the age\"}", NULL },
  { CLMRS_RECORD_REVIEW, "{\"visit_id\":\"v\",\"visit_rev\":1,\"decision\":\"maybe\"}",
    "body.decision: expected one of approved, returned" },
  { CLMRS_RECORD_REVIEW, "{\"visit_id\":\"v\",\"decision\":\"approved\"}", "body.visit_rev: missing" },
  { CLMRS_RECORD_REVIEW, "{\"visit_id\":\"v\",\"visit_rev\":0,\"decision\":\"approved\"}", "body.visit_rev: expected an integer >= 1" },
};

static void
test_bodies (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) node = json_from_string (cases[i].body, NULL);
      g_autoptr(GError) error = NULL;
      gboolean ok;

      g_assert_nonnull (node);
      ok = clmrs_record_check_body (cases[i].type, json_node_get_object (node), &error);
      if (cases[i].error == NULL)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, CLMRS_RECORD_ERROR, CLMRS_RECORD_ERROR_INVALID);
          g_assert_cmpstr (error->message, ==, cases[i].error);
        }
    }
}

/* Every code the check accepts, the device store accepts too: one visit
 * of each kind and status, one support of each level, one review of each
 * decision go into a real store's tables. */
static void
test_codes_match_the_store (void)
{
  static const char *const kinds[] = { "household", "follow_up", "support", "awareness", "community", "farm" };
  static const char *const statuses[] = { "present", "moved", "lost" };
  static const char *const levels[] = { "child", "household", "community", "referral" };
  static const char *const decisions[] = { "approved", "returned" };
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) store = clmrs_store_open (":memory:", &error);

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    for (guint j = 0; j < G_N_ELEMENTS (statuses); j++)
      {
        g_autofree char *body = g_strdup_printf ("{\"kind\":\"%s\",\"child_status\":\"%s\",\"date\":\"2026-06-01\"}",
                                                 kinds[i], statuses[j]);
        g_autoptr(JsonNode) node = json_from_string (body, NULL);
        g_autofree char *sql = g_strdup_printf (
            "INSERT INTO visits (id, kind, form_id, form_version, state, facilitator_id, child_status, started,"
            " modified) VALUES ('v%u%u', '%s', 'f', '1', 'final', 'p', '%s', 'x', 'x')", i, j, kinds[i], statuses[j]);

        g_assert_true (clmrs_record_check_body (CLMRS_RECORD_VISIT, json_node_get_object (node), &error));
        g_assert_true (clmrs_store_exec (store, sql, &error));
        g_assert_no_error (error);
      }
  for (guint i = 0; i < G_N_ELEMENTS (levels); i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"level\":\"%s\",\"type\":\"t\",\"date\":\"2026-06-01\"}", levels[i]);
      g_autoptr(JsonNode) node = json_from_string (body, NULL);
      g_autofree char *sql = g_strdup_printf (
          "INSERT INTO supports (id, level, type, support_date, facilitator_id, created)"
          " VALUES ('s%u', '%s', 't', '2026-06-01', 'p', 'x')", i, levels[i]);

      g_assert_true (clmrs_record_check_body (CLMRS_RECORD_SUPPORT, json_node_get_object (node), &error));
      g_assert_true (clmrs_store_exec (store, sql, &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (decisions); i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"visit_id\":\"v00\",\"visit_rev\":1,\"decision\":\"%s\"}", decisions[i]);
      g_autoptr(JsonNode) node = json_from_string (body, NULL);
      g_autofree char *sql = g_strdup_printf (
          "INSERT INTO reviews (id, visit_id, visit_rev, supervisor_id, decision, created)"
          " VALUES ('r%u', 'v00', 1, 'p', '%s', 'x')", i, decisions[i]);

      g_assert_true (clmrs_record_check_body (CLMRS_RECORD_REVIEW, json_node_get_object (node), &error));
      g_assert_true (clmrs_store_exec (store, sql, &error));
      g_assert_no_error (error);
    }
}

static void
test_references (void)
{
  g_autoptr(JsonNode) visit = json_from_string (
      "{\"kind\":\"household\",\"household_id\":\"h1\",\"child_id\":null,\"date\":\"2026-06-01\","
      "\"assessments\":[{\"child_id\":\"c1\",\"status\":\"hazardous_child_labour\"},{\"child_id\":\"c2\",\"status\":\"hazardous_child_labour\"}]}",
      NULL);
  g_autoptr(JsonNode) support = json_from_string (
      "{\"level\":\"child\",\"type\":\"t\",\"date\":\"2026-06-01\",\"child_id\":\"c1\",\"household_id\":null,\"visit_id\":\"v1\"}",
      NULL);
  g_autoptr(GPtrArray) refs = clmrs_record_references (CLMRS_RECORD_VISIT, json_node_get_object (visit));
  const ClmrsRecordRef *ref;

  g_assert_cmpuint (refs->len, ==, 3);
  ref = g_ptr_array_index (refs, 0);
  g_assert_cmpstr (ref->member, ==, "body.household_id");
  g_assert_cmpint (ref->type, ==, CLMRS_RECORD_HOUSEHOLD);
  g_assert_cmpstr (ref->id, ==, "h1");
  ref = g_ptr_array_index (refs, 2);
  g_assert_cmpstr (ref->member, ==, "body.assessments[1].child_id");
  g_assert_cmpint (ref->type, ==, CLMRS_RECORD_CHILD);
  g_assert_cmpstr (ref->id, ==, "c2");

  g_clear_pointer (&refs, g_ptr_array_unref);
  refs = clmrs_record_references (CLMRS_RECORD_SUPPORT, json_node_get_object (support));
  g_assert_cmpuint (refs->len, ==, 2);
  ref = g_ptr_array_index (refs, 1);
  g_assert_cmpstr (ref->member, ==, "body.visit_id");
  g_assert_cmpint (ref->type, ==, CLMRS_RECORD_VISIT);
}

/* A correction points at the visit it corrects, which must be of its
 * kind, household and child; anything else is named. */
static void
test_correction_reference (void)
{
  g_autoptr(JsonNode) visit = json_from_string (
      "{\"kind\":\"follow_up\",\"household_id\":\"h1\",\"child_id\":\"c1\",\"date\":\"2026-06-01\","
      "\"corrects\":\"v0\"}", NULL);
  g_autoptr(JsonNode) same = json_from_string (
      "{\"kind\":\"follow_up\",\"household_id\":\"h1\",\"child_id\":\"c1\",\"date\":\"2026-05-30\"}", NULL);
  g_autoptr(JsonNode) other_child = json_from_string (
      "{\"kind\":\"follow_up\",\"household_id\":\"h1\",\"child_id\":\"c2\",\"date\":\"2026-05-30\"}", NULL);
  g_autoptr(JsonNode) other_kind = json_from_string (
      "{\"kind\":\"household\",\"household_id\":\"h1\",\"date\":\"2026-05-30\"}", NULL);
  g_autoptr(JsonNode) bad = json_from_string (
      "{\"kind\":\"follow_up\",\"date\":\"2026-06-01\",\"corrects\":7}", NULL);
  g_autoptr(GPtrArray) refs = clmrs_record_references (CLMRS_RECORD_VISIT, json_node_get_object (visit));
  g_autoptr(GError) error = NULL;
  const ClmrsRecordRef *ref;

  g_assert_true (clmrs_record_check_body (CLMRS_RECORD_VISIT, json_node_get_object (visit), &error));
  g_assert_no_error (error);
  g_assert_false (clmrs_record_check_body (CLMRS_RECORD_VISIT, json_node_get_object (bad), &error));
  g_assert_error (error, CLMRS_RECORD_ERROR, CLMRS_RECORD_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "body.corrects: expected a string");
  g_clear_error (&error);

  g_assert_cmpuint (refs->len, ==, 3);
  ref = g_ptr_array_index (refs, 2);
  g_assert_cmpstr (ref->member, ==, "body.corrects");
  g_assert_cmpint (ref->type, ==, CLMRS_RECORD_VISIT);
  g_assert_cmpstr (ref->id, ==, "v0");
  g_assert_nonnull (ref->same);
  g_assert_null (((ClmrsRecordRef *) g_ptr_array_index (refs, 0))->same);

  g_assert_true (clmrs_record_ref_check_target (ref, json_node_get_object (same), &error));
  g_assert_no_error (error);
  g_assert_false (clmrs_record_ref_check_target (ref, json_node_get_object (other_child), &error));
  g_assert_error (error, CLMRS_RECORD_ERROR, CLMRS_RECORD_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "body.corrects: visit v0 has another child_id (c2, not c1)"));
  g_clear_error (&error);
  g_assert_false (clmrs_record_ref_check_target (ref, json_node_get_object (other_kind), &error));
  g_assert_true (g_str_has_prefix (error->message, "body.corrects: visit v0 has another kind (household, not follow_up)"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/record-check/bodies", test_bodies);
  g_test_add_func ("/record-check/codes-match-the-store", test_codes_match_the_store);
  g_test_add_func ("/record-check/references", test_references);
  g_test_add_func ("/record-check/correction-reference", test_correction_reference);
  return g_test_run ();
}
