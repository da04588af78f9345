/* test-prefill.c: what a new visit knows before its first question, read from the child's and household's history. */
#include "demo.h"
#include "prefill.h"
#include "store-test-helpers.h"
#include "util.h"
#include "xform-test-helpers.h"

#define HV    "/household_visit"
#define CHILD HV "/children/child"
#define FU    "/follow_up_visit"

typedef struct {
  TestStore  t;
  char      *household_id;
  char      *child_id;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  test_store_open_demo (&f->t, "prefill", 4, 3);
  /* a household with at least two children */
  f->household_id = test_query_text (f->t.store,
      "SELECT household_id FROM children GROUP BY household_id HAVING count (*) >= 2 ORDER BY household_id LIMIT 1",
      NULL);
  g_assert_nonnull (f->household_id);
  f->child_id = test_query_text (f->t.store, "SELECT id FROM children WHERE household_id = ?1 ORDER BY created, rowid LIMIT 1",
                                 f->household_id);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  test_store_close (&f->t);
  g_free (f->household_id);
  g_free (f->child_id);
}

static ClmrsFormSession *
new_session (const char *form_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsForm) form = clmrs_form_load_builtin (form_id, &error);
  ClmrsFormSession *session;

  g_assert_no_error (error);
  session = clmrs_form_session_new (form, &error);
  g_assert_no_error (error);
  return session;
}

/* A follow-up knows its child from the store: who, the household, the
 * visit's day and who visits. */
static void
test_follow_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsFormSession) s = new_session ("follow_up_visit");
  g_autofree char *name = test_query_text (f->t.store, "SELECT name FROM children WHERE id = ?1", f->child_id);
  g_autofree char *sex = test_query_text (f->t.store, "SELECT sex FROM children WHERE id = ?1", f->child_id);
  ClmrsPrefill prefill = { .facilitator_id = "F-1", .facilitator_name = "Awa Koné", .facilitator_sex = "female",
                           .date = "2026-07-01", .child_id = f->child_id };

  g_assert_true (clmrs_prefill_session (s, f->t.store, &prefill, &error));
  g_assert_no_error (error);
  assert_answer (s, FU "/facilitator_id", "F-1");
  assert_answer (s, FU "/facilitator_name", "Awa Koné");
  assert_answer (s, FU "/visit_date", "2026-07-01");
  assert_answer (s, FU "/child/child_id", f->child_id);
  assert_answer (s, FU "/child/household_id", f->household_id);
  assert_answer (s, FU "/child/name", name);
  assert_answer (s, FU "/child/identity/sex", sex);
}

/* A household revisit lists every child the store knows there, each
 * with its id, once; an answer already given is kept. */
static void
test_household_revisit (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsFormSession) s = new_session ("household_visit");
  g_autofree char *head = test_query_text (f->t.store, "SELECT head_name FROM households WHERE id = ?1", f->household_id);
  gint64 n = test_query_int (f->t.store, "SELECT count (*) FROM children WHERE household_id = ?1", f->household_id);
  g_autofree char *first = g_strdup_printf (CHILD "[1]/child_id");
  ClmrsPrefill prefill = { .facilitator_id = "F-1", .household_id = f->household_id };

  g_assert_true (clmrs_form_session_set_answer (s, HV "/household/head_sex", "female", &error));
  g_assert_no_error (error);
  g_assert_true (clmrs_prefill_session (s, f->t.store, &prefill, &error));
  g_assert_no_error (error);
  assert_answer (s, HV "/household/household_id", f->household_id);
  assert_answer (s, HV "/household/head_name", head);
  assert_answer (s, HV "/household/head_sex", "female");
  g_assert_cmpint (clmrs_form_session_count_repeat (s, CHILD), ==, n);
  assert_answer (s, first, f->child_id);

  /* again (a draft restored): nobody added twice */
  g_assert_true (clmrs_prefill_session (s, f->t.store, &prefill, &error));
  g_assert_no_error (error);
  g_assert_cmpint (clmrs_form_session_count_repeat (s, CHILD), ==, n);
}

/* The history that cannot be read is an error, not a household or child
 * without history. */
static void
test_step_error (Fixture       *f,
                 gconstpointer  data)
{
  static const char *const failing[] = { "FROM households WHERE id", "FROM children c WHERE" };

  for (gsize i = 0; i < G_N_ELEMENTS (failing); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ClmrsFormSession) s = new_session ("household_visit");
      ClmrsPrefill prefill = { .facilitator_id = "F-1", .household_id = f->household_id };

      test_store_fail_statements (f->t.store, failing[i]);
      g_assert_false (clmrs_prefill_session (s, f->t.store, &prefill, &error));
      test_store_fail_statements (f->t.store, NULL);
      g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/prefill/follow-up", Fixture, NULL, fixture_set_up, test_follow_up, fixture_tear_down);
  g_test_add ("/prefill/household-revisit", Fixture, NULL, fixture_set_up, test_household_revisit, fixture_tear_down);
  g_test_add ("/prefill/step-error", Fixture, NULL, fixture_set_up, test_step_error, fixture_tear_down);
  return g_test_run ();
}
