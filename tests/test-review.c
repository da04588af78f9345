/* test-review.c: a supervisor's queue of visits, reading one, approving and returning. */
#include <glib/gstdio.h>
#include <string.h>

#include "casebook.h"
#include "catalog.h"
#include "demo.h"
#include "record.h"
#include "review.h"
#include "util.h"
#include "visit.h"

typedef struct {
  char       *dir;
  ClmrsStore *store;
  char       *supervisor_id;
  char       *facilitator_id;
} Fixture;

static char *
query_text (ClmrsStore *store,
            const char *sql,
            const char *arg)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = clmrs_store_prepare (store, sql, &error);
  char *text = NULL;

  g_assert_no_error (error);
  if (arg != NULL)
    sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  return text;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  ClmrsDemoOptions options = { .households = 24, .seed = 7, .until = "2026-06-30", .months = 12 };
  ClmrsDemoReport report = { 0 };

  f->dir = g_dir_make_tmp ("clmrs-review-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "device.db", NULL);
  f->store = clmrs_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (clmrs_demo_generate (f->store, &options, &report, &error));
  g_assert_no_error (error);
  f->supervisor_id = query_text (f->store, "SELECT id FROM facilitators WHERE role = 'supervisor' LIMIT 1", NULL);
  f->facilitator_id = query_text (f->store, "SELECT id FROM facilitators WHERE role = 'facilitator' LIMIT 1", NULL);
  g_assert_nonnull (f->supervisor_id);
  g_assert_nonnull (f->facilitator_id);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  g_clear_pointer (&f->store, clmrs_store_close);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->supervisor_id);
  g_free (f->facilitator_id);
}

static guint
count_where (ClmrsStore *store,
             const char *sql)
{
  g_autofree char *text = query_text (store, sql, NULL);

  return text != NULL ? (guint) g_ascii_strtoull (text, NULL, 10) : 0;
}

/* The pending list is every finalised visit waiting, newest first, each
 * saying its kind, who made it and where; a follow-up names its child. */
static void
test_list (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pending = clmrs_review_list_visits (f->store, "pending", NULL, 10000, &error);
  g_autoptr(GPtrArray) mine = NULL;
  g_autoptr(GPtrArray) two = NULL;
  guint expected = count_where (f->store, "SELECT count (*) FROM visits WHERE state = 'final' AND review_state = 'pending'");
  gboolean follow_up_named = FALSE;

  g_assert_no_error (error);
  g_assert_cmpuint (expected, >, 2);
  g_assert_cmpuint (pending->len, ==, expected);
  for (guint i = 0; i < pending->len; i++)
    {
      ClmrsVisitSummary *v = g_ptr_array_index (pending, i);

      g_assert_true (clmrs_uuid_is_valid (v->id));
      g_assert_nonnull (v->kind);
      g_assert_nonnull (v->facilitator_name);
      g_assert_cmpstr (v->review_state, ==, "pending");
      g_assert_null (v->answers);      /* only when one visit is read */
      if (g_str_equal (v->kind, "follow_up"))
        {
          g_assert_nonnull (v->child);
          follow_up_named = TRUE;
        }
    }
  g_assert_true (follow_up_named);

  mine = clmrs_review_list_visits (f->store, "pending", f->facilitator_id, 10000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mine->len, <, pending->len);
  for (guint i = 0; i < mine->len; i++)
    g_assert_cmpstr (((ClmrsVisitSummary *) g_ptr_array_index (mine, i))->facilitator_id, ==, f->facilitator_id);
  two = clmrs_review_list_visits (f->store, "pending", NULL, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (two->len, ==, 2);
}

/* Reading one visit gives its answers and its children's results, and is
 * written to the audit trail under whoever is signed in on the connection;
 * an unknown id is "not found", not empty. */
static void
test_get (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *visit_id = query_text (f->store,
      "SELECT v.id FROM visits v WHERE v.state = 'final' AND v.kind = 'household'"
      " AND EXISTS (SELECT 1 FROM assessments a WHERE a.visit_id = v.id) LIMIT 1", NULL);
  g_autoptr(ClmrsVisitSummary) visit = NULL;
  g_autoptr(ClmrsVisitSummary) none = NULL;
  g_autoptr(JsonNode) assessed = NULL;
  guint audits = count_where (f->store, "SELECT count (*) FROM audit");

  g_assert_nonnull (visit_id);
  clmrs_store_set_actor (f->store, f->supervisor_id);
  visit = clmrs_review_get_visit (f->store, visit_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (visit->id, ==, visit_id);
  g_assert_nonnull (visit->answers);
  g_assert_nonnull (visit->form_id);
  g_assert_nonnull (visit->household);
  assessed = json_from_string (visit->assessments, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (assessed)), >, 0);
  g_assert_true (json_object_has_member (json_array_get_object_element (json_node_get_array (assessed), 0), "status"));
  g_assert_cmpuint (count_where (f->store, "SELECT count (*) FROM audit"), ==, audits + 1);
  {
    g_autofree char *opened = query_text (f->store, "SELECT action || ' ' || subject_id FROM audit ORDER BY seq DESC LIMIT 1", NULL);
    g_autofree char *expected = g_strdup_printf ("open_visit %s", visit_id);

    g_assert_cmpstr (opened, ==, expected);
  }

  none = clmrs_review_get_visit (f->store, "00000000-0000-4000-8000-000000000000", &error);
  g_assert_null (none);
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND);
}

/* Approve and return: the visit moves lists, the review is queued for the
 * server; what may not be decided is refused and changes nothing. */
static void
test_decide (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pending = clmrs_review_list_visits (f->store, "pending", NULL, 10000, &error);
  g_autoptr(GPtrArray) returned = NULL;
  g_autofree char *draft_id = query_text (f->store, "SELECT id FROM visits WHERE state = 'draft' LIMIT 1", NULL);
  const ClmrsVisitSummary *first, *second;
  g_autofree char *review1 = NULL;
  g_autofree char *review2 = NULL;
  g_autofree char *message = NULL;
  char *refused;
  guint queued = count_where (f->store, "SELECT count (*) FROM outbox WHERE type = 'review'");

  g_assert_no_error (error);
  first = g_ptr_array_index (pending, 0);
  second = g_ptr_array_index (pending, 1);

  review1 = clmrs_review_record (f->store, first->id, f->supervisor_id, "approved", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (clmrs_uuid_is_valid (review1));
  review2 = clmrs_review_record (f->store, second->id, f->supervisor_id, "returned",
                                 "Ask the ages again\nand the school's name", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_where (f->store, "SELECT count (*) FROM outbox WHERE type = 'review'"), ==, queued + 2);
  returned = clmrs_review_list_visits (f->store, "returned", second->facilitator_id, 10000, &error);
  g_assert_no_error (error);
  message = query_text (f->store, "SELECT review_message FROM visits WHERE id = ?1", second->id);
  g_assert_cmpstr (message, ==, "Ask the ages again\nand the school's name");
  {
    gboolean found = FALSE;

    for (guint i = 0; i < returned->len; i++)
      found |= g_str_equal (((ClmrsVisitSummary *) g_ptr_array_index (returned, i))->id, second->id);
    g_assert_true (found);
  }

  /* refused, nothing queued */
  refused = clmrs_review_record (f->store, first->id, f->facilitator_id, "approved", NULL, &error);
  g_assert_null (refused);
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID);
  g_clear_error (&error);
  refused = clmrs_review_record (f->store, first->id, f->supervisor_id, "returned", "", &error);
  g_assert_null (refused);
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID);
  g_clear_error (&error);
  refused = clmrs_review_record (f->store, first->id, f->supervisor_id, "maybe", NULL, &error);
  g_assert_null (refused);
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID);
  g_clear_error (&error);
  if (draft_id != NULL)
    {
      refused = clmrs_review_record (f->store, draft_id, f->supervisor_id, "approved", NULL, &error);
      g_assert_null (refused);
      g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE);
      g_clear_error (&error);
    }
  refused = clmrs_review_record (f->store, "00000000-0000-4000-8000-000000000000", f->supervisor_id, "approved", NULL, &error);
  g_assert_null (refused);
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpuint (count_where (f->store, "SELECT count (*) FROM outbox WHERE type = 'review'"), ==, queued + 2);
  g_assert_false (clmrs_store_in_transaction (f->store));
}

/* The indicators on the demo's last day, as text. */
static char *
indicators_text (ClmrsStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  GDate today;

  g_assert_true (clmrs_date_parse ("2026-06-30", &today));
  node = clmrs_casebook_indicators (store, NULL, NULL, &today, &error);
  g_assert_no_error (error);
  return clmrs_json_to_string (node);
}

/* A returned follow-up is corrected: the draft is the returned visit's
 * answers, linked to it; finalised, it replaces the returned visit in the
 * case and the indicators (which count it once: the same answers give the
 * same figures), its record says what it corrects, the message is done
 * and the supervisor has the correction to review. */
static void
test_correction (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *visit_id = query_text (f->store,
      "SELECT v.id FROM visits v WHERE v.kind = 'follow_up' AND v.state = 'final' AND v.child_status = 'present'"
      " AND EXISTS (SELECT 1 FROM assessments a WHERE a.visit_id = v.id) ORDER BY v.visit_date DESC LIMIT 1", NULL);
  g_autofree char *facilitator = query_text (f->store, "SELECT facilitator_id FROM visits WHERE id = ?1", visit_id);
  g_autofree char *child = query_text (f->store, "SELECT child_id FROM visits WHERE id = ?1", visit_id);
  g_autofree char *date = query_text (f->store, "SELECT visit_date FROM visits WHERE id = ?1", visit_id);
  g_autofree char *before = indicators_text (f->store);
  g_autofree char *follow_ups_before = query_text (f->store, "SELECT follow_ups FROM cases WHERE child_id = ?1", child);
  g_autofree char *review = NULL, *draft = NULL, *again = NULL, *form_id = NULL, *version = NULL;
  g_autofree char *after = NULL, *follow_ups_after = NULL, *corrects = NULL, *country = NULL;
  g_autoptr(ClmrsForm) form = NULL;
  g_autoptr(ClmrsFormSession) session = NULL;
  g_autoptr(GPtrArray) values = NULL;
  g_autoptr(ClmrsRuleSet) rules = NULL;
  g_autoptr(ClmrsFinaliseResult) result = NULL;
  g_autoptr(GPtrArray) returned = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  char *refused;
  gboolean found = FALSE;

  g_assert_nonnull (visit_id);
  /* only a returned visit is corrected */
  refused = clmrs_review_start_correction (f->store, visit_id, facilitator, &error);
  g_assert_null (refused);
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE);
  g_clear_error (&error);

  review = clmrs_review_record (f->store, visit_id, f->supervisor_id, "returned", "The child's school?", &error);
  g_assert_no_error (error);
  draft = clmrs_review_start_correction (f->store, visit_id, facilitator, &error);
  g_assert_no_error (error);
  corrects = query_text (f->store, "SELECT corrects FROM visits WHERE id = ?1 AND state = 'draft'", draft);
  g_assert_cmpstr (corrects, ==, visit_id);
  g_free (corrects);
  corrects = query_text (f->store, "SELECT child_id FROM visits WHERE id = ?1", draft);
  g_assert_cmpstr (corrects, ==, child);
  /* started again: the same draft, not a second one */
  again = clmrs_review_start_correction (f->store, visit_id, facilitator, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again, ==, draft);

  /* the facilitator finishes it as it was filled */
  form_id = query_text (f->store, "SELECT form_id FROM visits WHERE id = ?1", draft);
  version = query_text (f->store, "SELECT form_version FROM visits WHERE id = ?1", draft);
  form = clmrs_catalog_load_form (f->store, form_id, version, NULL, &error);
  g_assert_no_error (error);
  session = clmrs_form_session_new (form, &error);
  values = clmrs_store_draft_load (f->store, draft, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (values->len, >, 5);
  g_assert_true (clmrs_form_session_apply_values (session, values, &error));
  g_assert_no_error (error);
  country = query_text (f->store, "SELECT m.country FROM visits v JOIN communities m ON m.id = v.community_id"
                                  " WHERE v.id = ?1", draft);
  rules = clmrs_catalog_rules_for_country (f->store, country, &error);
  g_assert_no_error (error);
  g_assert_true (clmrs_visit_finalise (f->store, draft, session, rules, NULL, &result, &error));
  g_assert_no_error (error);

  /* of the day of the visit it corrects; its record names that visit */
  g_free (corrects);
  corrects = query_text (f->store, "SELECT visit_date FROM visits WHERE id = ?1", draft);
  g_assert_cmpstr (corrects, ==, date);
  g_free (corrects);
  corrects = query_text (f->store, "SELECT json_extract (envelope, '$.body.corrects') FROM outbox"
                                   " WHERE record_id = ?1", draft);
  g_assert_cmpstr (corrects, ==, visit_id);

  /* counted once: the same answers, the same case and indicators */
  after = indicators_text (f->store);
  g_assert_cmpstr (after, ==, before);
  follow_ups_after = query_text (f->store, "SELECT follow_ups FROM cases WHERE child_id = ?1", child);
  g_assert_cmpstr (follow_ups_after, ==, follow_ups_before);

  /* the message is done; the supervisor reviews the correction */
  returned = clmrs_review_list_visits (f->store, "returned", facilitator, 10000, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < returned->len; i++)
    g_assert_cmpstr (((ClmrsVisitSummary *) g_ptr_array_index (returned, i))->id, !=, visit_id);
  pending = clmrs_review_list_visits (f->store, "pending", NULL, 100000, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < pending->len; i++)
    {
      const ClmrsVisitSummary *v = g_ptr_array_index (pending, i);

      if (g_str_equal (v->id, draft))
        {
          found = TRUE;
          g_assert_cmpstr (v->corrects, ==, visit_id);
          g_assert_cmpstr (v->corrects_date, ==, date);
        }
    }
  g_assert_true (found);
  {
    g_autoptr(ClmrsVisitSummary) old = clmrs_review_get_visit (f->store, visit_id, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (old->corrected_by, ==, draft);
  }

  /* corrected once */
  refused = clmrs_review_start_correction (f->store, visit_id, facilitator, &error);
  g_assert_null (refused);
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE);
  g_assert_false (clmrs_store_in_transaction (f->store));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/review/list", Fixture, NULL, fixture_set_up, test_list, fixture_tear_down);
  g_test_add ("/review/get", Fixture, NULL, fixture_set_up, test_get, fixture_tear_down);
  g_test_add ("/review/decide", Fixture, NULL, fixture_set_up, test_decide, fixture_tear_down);
  g_test_add ("/review/correction", Fixture, NULL, fixture_set_up, test_correction, fixture_tear_down);

  return g_test_run ();
}
