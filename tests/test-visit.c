/* test-visit.c: a visit finalised in one transaction: its records written, its children classified, its envelopes queued in order. */
#include "draft.h"
#include "store-test-helpers.h"
#include "util.h"
#include "visit.h"
#include "visit-answers.h"

typedef struct {
  TestStore     t;
  char         *facilitator_id;
  ClmrsRuleSet *rules;
  ClmrsDraft   *draft;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *community = clmrs_uuid_new ();
  g_autofree char *answers_json = g_strdup_printf (household_answers_json, "");
  g_autoptr(JsonNode) answers = NULL;
  g_autoptr(GPtrArray) values = NULL;
  ClmrsDraftRequest request = { .form_id = "household_visit" };

  test_store_open (&f->t, "visit");
  f->facilitator_id = clmrs_uuid_new ();
  g_assert_true (clmrs_store_add_community (f->t.store, community, "Kragui", "Soubré", "ci", &error));
  g_assert_true (clmrs_store_add_facilitator (f->t.store, f->facilitator_id, "Awa Koné", "female",
                                              "facilitator", "482193", &error));
  g_assert_no_error (error);
  f->rules = clmrs_rule_set_load_builtin ("ci", &error);
  g_assert_no_error (error);

  /* a new household's visit, every question answered and saved */
  request.facilitator_id = f->facilitator_id;
  f->draft = clmrs_draft_start (f->t.store, &request, &error);
  g_assert_no_error (error);
  answers = json_from_string (answers_json, &error);
  g_assert_no_error (error);
  g_assert_true (clmrs_form_session_load_json (f->draft->session, answers, &error));
  g_assert_no_error (error);
  values = clmrs_form_session_list_values (f->draft->session);
  g_assert_true (clmrs_store_draft_save_all (f->t.store, f->draft->visit_id, values, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->draft, clmrs_draft_free);
  g_clear_pointer (&f->rules, clmrs_rule_set_free);
  test_store_close (&f->t);
  g_free (f->facilitator_id);
}

static gint64
count (Fixture    *f,
       const char *sql)
{
  return test_query_int (f->t.store, sql, f->draft->visit_id);
}

/* The household, its child and the child's assessment are written, the
 * child classified by the rule set, the visit final with its answers,
 * and the envelopes queued so that nothing arrives before what it names;
 * a visit finalised cannot be finalised again. */
static void
test_finalise (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsFinaliseResult) result = NULL;
  g_autoptr(ClmrsFinaliseResult) again = NULL;
  g_autofree char *order = NULL;
  g_autofree char *head = NULL;
  ClmrsChildOutcome *child;

  g_assert_true (clmrs_visit_finalise (f->t.store, f->draft->visit_id, f->draft->session, f->rules, NULL,
                                       &result, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (result->visit_id, ==, f->draft->visit_id);
  g_assert_true (clmrs_uuid_is_valid (result->household_id));
  g_assert_cmpuint (result->children->len, ==, 1);
  child = g_ptr_array_index (result->children, 0);
  g_assert_cmpstr (child->name, ==, "Kouadio Ama");
  g_assert_cmpint (child->age, ==, 12);
  g_assert_true (clmrs_status_is_child_labour (child->status));

  head = test_query_text (f->t.store, "SELECT head_name FROM households WHERE id = ?1", result->household_id);
  g_assert_cmpstr (head, ==, "Kouadio Yao");
  g_assert_cmpint (count (f, "SELECT count (*) FROM visits WHERE id = ?1 AND state = 'final' AND answers IS NOT NULL"),
                   ==, 1);
  g_assert_cmpint (count (f, "SELECT count (*) FROM assessments WHERE visit_id = ?1"), ==, 1);
  g_assert_cmpint (count (f, "SELECT count (*) FROM answers WHERE visit_id = ?1"), ==, 0);
  g_assert_cmpint (test_query_int (f->t.store, "SELECT count (*) FROM outbox", NULL), ==, result->records_queued);
  /* first the household, then the child, and the visit after both */
  order = test_query_text (f->t.store, "SELECT group_concat (type, ' ') FROM (SELECT type FROM outbox ORDER BY rowid)",
                           NULL);
  g_assert_true (g_str_has_prefix (order, "household child "));
  g_assert_nonnull (strstr (order, "visit"));

  g_assert_false (clmrs_visit_finalise (f->t.store, f->draft->visit_id, f->draft->session, f->rules, NULL,
                                        &again, &error));
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE);
  g_assert_null (again);
}

/* A record that cannot be read while finalising is an error, not a new
 * record: nothing is written, nothing queued, the draft stays whole. */
static void
test_finalise_step_error (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsFinaliseResult) result = NULL;
  gint64 answers = count (f, "SELECT count (*) FROM answers WHERE visit_id = ?1");

  test_store_fail_statements (f->t.store, "SELECT rev, body, created FROM households");
  g_assert_false (clmrs_visit_finalise (f->t.store, f->draft->visit_id, f->draft->session, f->rules, NULL,
                                        &result, &error));
  test_store_fail_statements (f->t.store, NULL);
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE);
  g_assert_nonnull (strstr (error->message, "households"));
  g_assert_false (clmrs_store_in_transaction (f->t.store));
  g_assert_cmpint (test_query_int (f->t.store, "SELECT count (*) FROM outbox", NULL), ==, 0);
  g_assert_cmpint (test_query_int (f->t.store, "SELECT count (*) FROM households", NULL), ==, 0);
  g_assert_cmpint (count (f, "SELECT count (*) FROM visits WHERE id = ?1 AND state = 'draft'"), ==, 1);
  g_assert_cmpint (count (f, "SELECT count (*) FROM answers WHERE visit_id = ?1"), ==, answers);
}

/* An unanswered required question: refused, naming it. */
static void
test_finalise_incomplete (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsFinaliseResult) result = NULL;

  g_assert_true (clmrs_form_session_set_answer (f->draft->session, "/household_visit/household/head_name", NULL, &error));
  g_assert_false (clmrs_visit_finalise (f->t.store, f->draft->visit_id, f->draft->session, f->rules, NULL,
                                        &result, &error));
  g_assert_error (error, CLMRS_VISIT_ERROR, CLMRS_VISIT_ERROR_INCOMPLETE);
  g_assert_nonnull (strstr (error->message, "head_name"));
  g_assert_cmpint (test_query_int (f->t.store, "SELECT count (*) FROM outbox", NULL), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/visit/finalise", Fixture, NULL, fixture_set_up, test_finalise, fixture_tear_down);
  g_test_add ("/visit/finalise/step-error", Fixture, NULL, fixture_set_up, test_finalise_step_error, fixture_tear_down);
  g_test_add ("/visit/finalise/incomplete", Fixture, NULL, fixture_set_up, test_finalise_incomplete, fixture_tear_down);
  return g_test_run ();
}
