/* test-draft.c: a visit's draft started (where, which form, prefilled, in one transaction) and resumed. */
#include "demo.h"
#include "draft.h"
#include "store-test-helpers.h"
#include "xform-test-helpers.h"

typedef struct {
  TestStore  t;
  char      *facilitator_id;
  char      *household_id;
  char      *child_id;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  test_store_open_demo (&f->t, "draft", 4, 5);
  f->facilitator_id = test_query_text (f->t.store, "SELECT id FROM facilitators WHERE role = 'facilitator' LIMIT 1", NULL);
  /* a household of the second community: not the device's first */
  f->household_id = test_query_text (f->t.store,
      "SELECT h.id FROM households h JOIN communities m ON m.id = h.community_id "
      "ORDER BY m.rowid DESC, h.rowid LIMIT 1", NULL);
  f->child_id = test_query_text (f->t.store, "SELECT id FROM children WHERE household_id = ?1 LIMIT 1", f->household_id);
  g_assert_nonnull (f->facilitator_id);
  g_assert_nonnull (f->child_id);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  test_store_close (&f->t);
  g_free (f->facilitator_id);
  g_free (f->household_id);
  g_free (f->child_id);
}

static guint
count_visits (ClmrsStore *store)
{
  return test_query_int (store, "SELECT count (*) FROM visits", NULL);
}

/* A revisit: the household's own community and country, the newest
 * form, a draft row of the right kind, and the prefill saved with it. */
static void
test_start_household (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ClmrsDraftRequest request = { .form_id = "household_visit", .facilitator_id = f->facilitator_id,
                                .facilitator_name = "Awa", .household_id = f->household_id, .language = "fr" };
  g_autoptr(ClmrsDraft) draft = clmrs_draft_start (f->t.store, &request, &error);
  g_autofree char *community = test_query_text (f->t.store, "SELECT community_id FROM households WHERE id = ?1", f->household_id);
  g_autofree char *first = test_query_text (f->t.store, "SELECT id FROM communities ORDER BY rowid LIMIT 1", NULL);
  g_autofree char *country = test_query_text (f->t.store, "SELECT country FROM communities WHERE id = ?1", community);
  g_autofree char *kind = NULL;
  g_autofree char *saved = NULL;
  g_autoptr(GPtrArray) values = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (draft);
  g_assert_cmpstr (draft->community_id, ==, community);
  g_assert_cmpstr (draft->community_id, !=, first);
  g_assert_cmpstr (draft->country, ==, country);
  g_assert_cmpstr (draft->household_id, ==, f->household_id);
  g_assert_null (draft->anchor);
  g_assert_cmpstr (clmrs_form_get_id (draft->form), ==, "household_visit");
  kind = test_query_text (f->t.store, "SELECT kind || ' ' || state || ' ' || form_version FROM visits WHERE id = ?1",
                          draft->visit_id);
  saved = g_strdup_printf ("household draft %s", clmrs_form_get_version (draft->form));
  g_assert_cmpstr (kind, ==, saved);
  assert_answer (draft->session, "/household_visit/household/household_id", f->household_id);
  /* every prefilled answer is saved with the draft */
  values = clmrs_form_session_list_values (draft->session);
  g_assert_cmpuint (values->len, >, 2);
  g_assert_cmpint (test_query_int (f->t.store, "SELECT count (*) FROM answers WHERE visit_id = ?1", draft->visit_id),
                   ==, values->len);
  g_clear_pointer (&saved, g_free);
  saved = test_query_text (f->t.store,
      "SELECT value FROM answers WHERE visit_id = ?1 AND ref = '/household_visit/household/household_id'",
      draft->visit_id);
  g_assert_cmpstr (saved, ==, f->household_id);
}

/* A follow-up named by its child alone: the child's household. */
static void
test_start_child (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ClmrsDraftRequest request = { .form_id = "follow_up_visit", .facilitator_id = f->facilitator_id,
                                .child_id = f->child_id };
  g_autoptr(ClmrsDraft) draft = clmrs_draft_start (f->t.store, &request, &error);
  g_autofree char *name = test_query_text (f->t.store, "SELECT name FROM children WHERE id = ?1", f->child_id);
  g_autofree char *kind = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (draft->household_id, ==, f->household_id);
  g_assert_cmpstr (draft->child_id, ==, f->child_id);
  assert_answer (draft->session, "/follow_up_visit/child/child_id", f->child_id);
  assert_answer (draft->session, "/follow_up_visit/child/name", name);
  kind = test_query_text (f->t.store, "SELECT kind FROM visits WHERE id = ?1", draft->visit_id);
  g_assert_cmpstr (kind, ==, "follow_up");
}

/* The community asked for, when the caller chose one (clmrs visit
 * --community); one the device does not have is named. */
static void
test_start_community (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *last = test_query_text (f->t.store, "SELECT id FROM communities ORDER BY rowid DESC LIMIT 1", NULL);
  g_autofree char *country = test_query_text (f->t.store, "SELECT country FROM communities WHERE id = ?1", last);
  ClmrsDraftRequest request = { .form_id = "awareness_session", .facilitator_id = f->facilitator_id,
                                .community_id = last };
  g_autoptr(ClmrsDraft) draft = clmrs_draft_start (f->t.store, &request, &error);
  g_autoptr(ClmrsDraft) none = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (draft->community_id, ==, last);
  g_assert_cmpstr (draft->country, ==, country);
  g_assert_null (draft->household_id);

  request.community_id = "c0000000-0000-4000-8000-00000000dead";
  none = clmrs_draft_start (f->t.store, &request, &error);
  g_assert_null (none);
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "c0000000-0000-4000-8000-00000000dead"));
}

/* Creating, prefilling and saving are one transaction: when saving the
 * answers fails, no draft is left behind. */
static void
test_start_one_transaction (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ClmrsDraftRequest request = { .form_id = "household_visit", .facilitator_id = f->facilitator_id,
                                .household_id = f->household_id };
  g_autoptr(ClmrsDraft) draft = NULL;
  guint before = count_visits (f->t.store);

  g_assert_true (clmrs_store_exec (f->t.store,
      "CREATE TRIGGER refuse_answers BEFORE INSERT ON answers BEGIN SELECT RAISE (ABORT, 'disk full'); END", &error));
  g_assert_no_error (error);
  draft = clmrs_draft_start (f->t.store, &request, &error);
  g_assert_null (draft);
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE);
  g_assert_nonnull (strstr (error->message, "disk full"));
  g_assert_false (clmrs_store_in_transaction (f->t.store));
  g_assert_cmpuint (count_visits (f->t.store), ==, before);
}

/* A form the device does not have, or a device without a community:
 * an error naming it, and no draft. */
static void
test_start_refused (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ClmrsDraftRequest request = { .form_id = "no_such_form", .facilitator_id = f->facilitator_id };
  g_autoptr(ClmrsDraft) draft = NULL;
  guint before = count_visits (f->t.store);
  TestStore empty = { 0 };

  draft = clmrs_draft_start (f->t.store, &request, &error);
  g_assert_null (draft);
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no_such_form"));
  g_assert_cmpuint (count_visits (f->t.store), ==, before);
  g_clear_error (&error);

  test_store_open (&empty, "draft-empty");
  request.form_id = "household_visit";
  draft = clmrs_draft_start (empty.store, &request, &error);
  g_assert_null (draft);
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no community"));
  g_assert_cmpuint (count_visits (empty.store), ==, 0);
  g_assert_false (clmrs_store_in_transaction (empty.store));
  test_store_close (&empty);
}

/* A draft opened again: its form version, its answers, and where the
 * facilitator stopped; a draft finalised or discarded is not found. */
static void
test_resume (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ClmrsDraftRequest request = { .form_id = "follow_up_visit", .facilitator_id = f->facilitator_id,
                                .child_id = f->child_id };
  g_autoptr(ClmrsDraft) started = clmrs_draft_start (f->t.store, &request, &error);
  g_autoptr(ClmrsDraft) resumed = NULL;
  g_autoptr(ClmrsDraft) gone = NULL;
  g_autofree char *anchor = NULL;

  g_assert_no_error (error);
  resumed = clmrs_draft_resume (f->t.store, started->visit_id, "en", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (resumed->visit_id, ==, started->visit_id);
  g_assert_cmpstr (resumed->community_id, ==, started->community_id);
  g_assert_cmpstr (resumed->country, ==, started->country);
  g_assert_cmpstr (resumed->household_id, ==, f->household_id);
  g_assert_cmpstr (resumed->child_id, ==, f->child_id);
  g_assert_cmpstr (clmrs_form_get_version (resumed->form), ==, clmrs_form_get_version (started->form));
  assert_answer (resumed->session, "/follow_up_visit/child/child_id", f->child_id);
  g_assert_nonnull (resumed->anchor);
  anchor = g_strdup (resumed->anchor);

  /* the question it stopped at answered: it resumes further on */
  g_assert_true (clmrs_store_draft_save_answer (f->t.store, started->visit_id, anchor,
                                                g_str_has_suffix (anchor, "date") ? "2026-06-01" : "yes", &error));
  g_assert_no_error (error);
  g_clear_pointer (&resumed, clmrs_draft_free);
  resumed = clmrs_draft_resume (f->t.store, started->visit_id, "en", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (resumed->anchor, !=, anchor);

  g_assert_true (clmrs_store_draft_discard (f->t.store, started->visit_id, &error));
  g_assert_no_error (error);
  gone = clmrs_draft_resume (f->t.store, started->visit_id, "en", &error);
  g_assert_null (gone);
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND);
}

/* A read that fails is an error, not "no such draft". */
static void
test_resume_step_error (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ClmrsDraftRequest request = { .form_id = "household_visit", .facilitator_id = f->facilitator_id };
  g_autoptr(ClmrsDraft) started = clmrs_draft_start (f->t.store, &request, &error);
  g_autoptr(ClmrsDraft) resumed = NULL;

  g_assert_no_error (error);
  test_store_fail_statements (f->t.store, "AND v.state = 'draft'");
  resumed = clmrs_draft_resume (f->t.store, started->visit_id, NULL, &error);
  test_store_fail_statements (f->t.store, NULL);
  g_assert_null (resumed);
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/draft/start/household", Fixture, NULL, fixture_set_up, test_start_household, fixture_tear_down);
  g_test_add ("/draft/start/child", Fixture, NULL, fixture_set_up, test_start_child, fixture_tear_down);
  g_test_add ("/draft/start/community", Fixture, NULL, fixture_set_up, test_start_community, fixture_tear_down);
  g_test_add ("/draft/start/one-transaction", Fixture, NULL, fixture_set_up, test_start_one_transaction, fixture_tear_down);
  g_test_add ("/draft/start/refused", Fixture, NULL, fixture_set_up, test_start_refused, fixture_tear_down);
  g_test_add ("/draft/resume", Fixture, NULL, fixture_set_up, test_resume, fixture_tear_down);
  g_test_add ("/draft/resume/step-error", Fixture, NULL, fixture_set_up, test_resume_step_error, fixture_tear_down);
  return g_test_run ();
}
