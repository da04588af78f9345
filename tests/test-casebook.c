/* test-casebook.c: one household as a facilitator sees it: its children with their cases, its visits newest first. */
#include "casebook.h"
#include "store.h"
#include "store-test-helpers.h"
#include "util.h"

#include <glib/gstdio.h>
#include <string.h>

/*
 * Today is 2025-03-01; follow-ups every 6 months, 30 days of grace.
 *
 *   child  hh  name   sex  born / age       visits                                 case
 *   C1     H1  Yaw    m    2012-05-01       V1 2024-06-01 HCL, V2 FU 2024-12-01 not identified, 1 of 2 clean, due 2025-06-01
 *   C2     H1  Abena  f    10 on 2023-01-15 none                                   none, age 12 from the roster
 *   C3     H1  Esi    f    2014-02-01       V1 2024-06-01 CL                        overdue (due 2024-12-01)
 *   C4     H1  Kwame  m    2010-01-01       V1 2024-06-01 not                       none
 *   C5     H1  Ato    m    2016-03-02       V5 2025-04-01 CL (after today)          none, not yet assessed
 *   C6     H1  Zadi   m    2020-01-15       V1 2024-06-01 out of scope (aged 4)     none, 5 today: not assessed in scope
 *   C9     H2  Adjoa  f    2013-01-01       V9 2025-02-01 CL                        (another household)
 *
 * Visits of H1: V1 household (sent), V2 follow-up of Yaw (returned, sent
 * then queued again), V3 a school kit for Esi 2025-01-10 (pulled: never in
 * the outbox), V4 a draft (listed apart), V5 household 2025-04-01 (queued).
 */
static const char *const data_sql =
  "INSERT INTO communities (id, name, created, modified) VALUES ('c-a', 'Kragui', 'x', 'x');"
  "INSERT INTO facilitators (id, name, sex, role, created) VALUES"
  " ('F1', 'Awa Koné', 'female', 'facilitator', 'x'), ('F2', 'Yao Kouassi', 'male', 'facilitator', 'x');"
  "INSERT INTO households (id, community_id, head_name, head_sex, device_id, author, created, modified) VALUES"
  " ('H1', 'c-a', 'Kofi Boateng & Sons', 'male', 'd', 'F1', '2024-06-01', '2024-06-01'),"
  " ('H2', 'c-a', 'Ama Owusu', 'female', 'd', 'F1', '2024-06-01', '2024-06-01');"
  "INSERT INTO children (id, household_id, name, sex, dob, age, age_on, device_id, author, created, modified) VALUES"
  " ('C1', 'H1', 'Yaw', 'male', '2012-05-01', NULL, NULL, 'd', 'F1', 'x', 'x'),"
  " ('C2', 'H1', 'Abena', 'female', NULL, 10, '2023-01-15', 'd', 'F1', 'x', 'x'),"
  " ('C3', 'H1', 'Esi', 'female', '2014-02-01', NULL, NULL, 'd', 'F1', 'x', 'x'),"
  " ('C4', 'H1', 'Kwame', 'male', '2010-01-01', NULL, NULL, 'd', 'F1', 'x', 'x'),"
  " ('C5', 'H1', 'Ato', 'male', '2016-03-02', NULL, NULL, 'd', 'F1', 'x', 'x'),"
  " ('C6', 'H1', 'Zadi', 'male', '2020-01-15', NULL, NULL, 'd', 'F1', 'x', 'x'),"
  " ('C9', 'H2', 'Adjoa', 'female', '2013-01-01', NULL, NULL, 'd', 'F1', 'x', 'x');"
  "INSERT INTO visits (id, kind, form_id, form_version, state, facilitator_id, community_id, household_id,"
  "  child_id, child_status, visit_date, started, modified, finalised, review_state) VALUES"
  " ('V1', 'household', 'household_visit', '1', 'final', 'F1', 'c-a', 'H1', NULL, NULL, '2024-06-01', 'x', 'x', '2024-06-01T10:00:00Z', 'approved'),"
  " ('V2', 'follow_up', 'follow_up_visit', '1', 'final', 'F2', NULL, 'H1', 'C1', 'present', '2024-12-01', 'x', 'x', '2024-12-01T10:00:00Z', 'returned'),"
  " ('V3', 'support', 'support_record', '1', 'final', 'F9', 'c-a', 'H1', 'C3', NULL, '2025-01-10', 'x', 'x', '2025-01-10T10:00:00Z', 'pending'),"
  " ('V4', 'household', 'household_visit', '1', 'draft', 'F1', 'c-a', 'H1', NULL, NULL, NULL, 'x', 'x', NULL, 'pending'),"
  " ('V5', 'household', 'household_visit', '1', 'final', 'F1', 'c-a', 'H1', NULL, NULL, '2025-04-01', 'x', 'x', '2025-04-01T10:00:00Z', 'pending'),"
  " ('V9', 'household', 'household_visit', '1', 'final', 'F1', 'c-a', 'H2', NULL, NULL, '2025-02-01', 'x', 'x', '2025-02-01T10:00:00Z', 'pending');"
  "INSERT INTO assessments (id, visit_id, child_id, assessed_on, age, status, reasons, rules, profile) VALUES"
  " ('A1', 'V1', 'C1', '2024-06-01', 12, 'hazardous_child_labour', '[]', 'gh', '{}'),"
  " ('A2', 'V2', 'C1', '2024-12-01', 12, 'not_in_child_labour', '[]', 'gh', '{}'),"
  " ('A3', 'V1', 'C3', '2024-06-01', 10, 'child_labour', '[]', 'gh', '{}'),"
  " ('A4', 'V1', 'C4', '2024-06-01', 14, 'not_in_child_labour', '[]', 'gh', '{}'),"
  " ('A5', 'V5', 'C5', '2025-04-01', 9, 'child_labour', '[]', 'gh', '{}'),"
  " ('A6', 'V1', 'C6', '2024-06-01', 4, 'out_of_scope', '[]', 'gh', '{}'),"
  " ('A9', 'V9', 'C9', '2025-02-01', 12, 'child_labour', '[]', 'gh', '{}');"
  "INSERT INTO supports (id, level, type, support_date, community_id, household_id, child_id, visit_id,"
  "  facilitator_id, created) VALUES"
  " ('S3', 'child', 'school_kit', '2025-01-10', 'c-a', 'H1', 'C3', 'V3', 'F9', 'x');"
  "INSERT INTO outbox (record_id, rev, type, facilitator_id, state, envelope, bytes, queued_at) VALUES"
  " ('V1', 1, 'visit', 'F1', 'sent', '{}', 2, 'x'),"
  " ('V2', 1, 'visit', 'F2', 'sent', '{}', 2, 'x'),"
  " ('V2', 2, 'visit', 'F2', 'queued', '{}', 2, 'x'),"
  " ('V5', 1, 'visit', 'F1', 'queued', '{}', 2, 'x'),"
  " ('V9', 1, 'visit', 'F1', 'rejected', '{}', 2, 'x');";

typedef struct {
  char       *dir;
  char       *path;
  ClmrsStore *store;
  GDate       today;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("clmrs-casebook-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "device.db", NULL);
  f->store = clmrs_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_true (clmrs_store_exec (f->store, data_sql, &error));
  g_assert_no_error (error);
  g_assert_true (clmrs_date_parse ("2025-03-01", &f->today));
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (f->path, "-shm", NULL);

  clmrs_store_close (f->store);
  g_unlink (f->path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static void
test_head (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsHouseholdFile) file = NULL;

  file = clmrs_casebook_household (f->store, "H1", &f->today, NULL, 100, &error);
  g_assert_no_error (error);
  g_assert_nonnull (file);
  g_assert_cmpstr (file->id, ==, "H1");
  g_assert_cmpstr (file->head_name, ==, "Kofi Boateng & Sons");
  g_assert_cmpstr (file->head_sex, ==, "male");
  g_assert_cmpstr (file->community, ==, "Kragui");
  /* the newest finalised visit, the draft not counted */
  g_assert_cmpstr (file->last_visit, ==, "2025-04-01");
}

typedef struct {
  const char      *name;
  const char      *sex;
  int              age;
  const char      *last_status;
  const char      *last_finding;
  ClmrsCaseStatus  status;
  gboolean         open;
  guint            clean_follow_ups;
  const char      *next_due;
} ChildCase;

/* by name */
static const ChildCase expected_children[] = {
  { "Abena", "female", 12, NULL, NULL, CLMRS_CASE_NONE, FALSE, 0, "" },
  { "Ato", "male", 8, NULL, NULL, CLMRS_CASE_NONE, FALSE, 0, "" },
  /* identified 2024-06-01: the window for a follow-up ended on 2025-02-01 */
  { "Esi", "female", 11, "child_labour", "child_labour", CLMRS_CASE_FOLLOW_UP_MISSED, TRUE, 0, "2024-12-01" },
  { "Kwame", "male", 15, "not_in_child_labour", NULL, CLMRS_CASE_NONE, FALSE, 0, "" },
  { "Yaw", "male", 12, "not_in_child_labour", "hazardous_child_labour", CLMRS_CASE_IDENTIFIED, TRUE, 1, "2025-06-01" },
  /* found 4 years old, out of scope; 5 today: that finding is not his now */
  { "Zadi", "male", 5, NULL, NULL, CLMRS_CASE_NONE, FALSE, 0, "" },
};

static void
test_children (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsHouseholdFile) file = NULL;

  file = clmrs_casebook_household (f->store, "H1", &f->today, NULL, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (file->children->len, ==, G_N_ELEMENTS (expected_children));
  for (guint i = 0; i < G_N_ELEMENTS (expected_children); i++)
    {
      const ChildCase *want = &expected_children[i];
      ClmrsHouseholdChild *child = g_ptr_array_index (file->children, i);

      g_test_message ("child %s", want->name);
      g_assert_cmpstr (child->name, ==, want->name);
      g_assert_cmpstr (child->sex, ==, want->sex);
      g_assert_cmpint (child->age, ==, want->age);
      g_assert_cmpstr (child->last_status, ==, want->last_status);
      g_assert_cmpstr (child->last_finding, ==, want->last_finding);
      g_assert_cmpstr (clmrs_case_status_to_string (child->kase.status), ==,
                       clmrs_case_status_to_string (want->status));
      g_assert_cmpint (child->kase.open, ==, want->open);
      g_assert_cmpuint (child->kase.n_clean_follow_ups, ==, want->clean_follow_ups);
      g_assert_cmpstr (child->kase.next_due_date, ==, want->next_due);
    }
}

/* The cases are evaluated with the configuration given; Esi's support is
 * hers, not her brother's. */
static void
test_case_config (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsHouseholdFile) file = NULL;
  ClmrsCaseConfig config;
  ClmrsHouseholdChild *esi;

  /* a 12-month interval: Esi's follow-up is not due before 2025-06-01 */
  clmrs_case_config_init (&config);
  config.follow_up_months = 12;
  config.min_interval_months = 10;
  config.max_interval_months = 14;
  file = clmrs_casebook_household (f->store, "H1", &f->today, &config, 100, &error);
  g_assert_no_error (error);
  esi = g_ptr_array_index (file->children, 2);
  g_assert_cmpstr (esi->name, ==, "Esi");
  g_assert_cmpstr (esi->kase.next_due_date, ==, "2025-06-01");
  g_assert_cmpint (esi->kase.status, ==, CLMRS_CASE_SUPPORTED);
  g_assert_cmpstr (esi->kase.first_support_date, ==, "2025-01-10");
  g_assert_cmpint (((ClmrsHouseholdChild *) g_ptr_array_index (file->children, 4))->kase.status, ==,
                   CLMRS_CASE_IDENTIFIED);
}

static void
test_visits (Fixture *f, gconstpointer data)
{
  static const struct {
    const char *id, *kind, *form, *date, *by, *child, *review, *outbox;
  } expected[] = {
    { "V5", "household", "household_visit", "2025-04-01", "Awa Koné", NULL, "pending", "queued" },
    { "V3", "support", "support_record", "2025-01-10", "F9", "Esi", "pending", NULL },
    { "V2", "follow_up", "follow_up_visit", "2024-12-01", "Yao Kouassi", "Yaw", "returned", "queued" },
    { "V1", "household", "household_visit", "2024-06-01", "Awa Koné", NULL, "approved", "sent" },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsHouseholdFile) file = NULL;
  g_autoptr(ClmrsHouseholdFile) two = NULL;

  file = clmrs_casebook_household (f->store, "H1", &f->today, NULL, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (file->visits->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      ClmrsHouseholdVisit *visit = g_ptr_array_index (file->visits, i);

      g_assert_cmpstr (visit->visit_id, ==, expected[i].id);
      g_assert_cmpstr (visit->kind, ==, expected[i].kind);
      g_assert_cmpstr (visit->form_id, ==, expected[i].form);
      g_assert_cmpstr (visit->visit_date, ==, expected[i].date);
      g_assert_cmpstr (visit->facilitator_name, ==, expected[i].by);
      g_assert_cmpstr (visit->child_name, ==, expected[i].child);
      g_assert_cmpstr (visit->review_state, ==, expected[i].review);
      g_assert_cmpstr (visit->outbox_state, ==, expected[i].outbox);
    }
  /* the draft is offered apart, to be continued */
  g_assert_cmpuint (file->drafts->len, ==, 1);
  g_assert_cmpstr (((ClmrsHouseholdVisit *) g_ptr_array_index (file->drafts, 0))->visit_id, ==, "V4");
  g_assert_cmpstr (((ClmrsHouseholdVisit *) g_ptr_array_index (file->drafts, 0))->facilitator_id, ==, "F1");

  /* the limit keeps the newest */
  two = clmrs_casebook_household (f->store, "H1", &f->today, NULL, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (two->visits->len, ==, 2);
  g_assert_cmpstr (((ClmrsHouseholdVisit *) g_ptr_array_index (two->visits, 1))->visit_id, ==, "V3");
}

static void
test_other_household (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsHouseholdFile) file = NULL;
  ClmrsHouseholdChild *adjoa;
  ClmrsHouseholdVisit *visit;

  file = clmrs_casebook_household (f->store, "H2", &f->today, NULL, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (file->children->len, ==, 1);
  g_assert_cmpuint (file->visits->len, ==, 1);
  adjoa = g_ptr_array_index (file->children, 0);
  visit = g_ptr_array_index (file->visits, 0);
  g_assert_cmpstr (adjoa->name, ==, "Adjoa");
  g_assert_cmpint (adjoa->kase.status, ==, CLMRS_CASE_IDENTIFIED);
  g_assert_cmpstr (visit->outbox_state, ==, "rejected");
  g_assert_null (visit->child_name);
}

static void
test_not_found (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsHouseholdFile) file = NULL;

  file = clmrs_casebook_household (f->store, "H404", &f->today, NULL, 100, &error);
  g_assert_null (file);
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "H404"));
  /* the read transaction ended: the store takes writes */
  g_clear_error (&error);
  g_assert_true (clmrs_store_begin (f->store, &error));
  g_assert_no_error (error);
  clmrs_store_rollback (f->store);
}

/* A household is found by the start of its head's name or of a word in it,
 * any case; LIKE's wildcards are taken literally; pages and counts agree. */
static void
test_search (Fixture *f, gconstpointer data)
{
  static const struct { const char *prefix; const char *expected; } cases[] = {
    { "", "H2 H1" },            /* all, by name */
    { "kofi", "H1" },           /* the full name's start, any case */
    { "boat", "H1" },           /* a later word's start */
    { "OWUSU", "H2" },
    { "ama o", "H2" },
    { "sons", "H1" },
    { "oateng", "" },           /* not the middle of a word */
    { "%", "" },                /* wildcards are literal */
    { "_", "" },
    { "& s", "H1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) items = clmrs_casebook_search_households (f->store, cases[i].prefix, 10, &error);
      g_autoptr(GString) ids = g_string_new (NULL);

      g_assert_no_error (error);
      for (guint j = 0; j < items->len; j++)
        g_string_append_printf (ids, "%s%s", j ? " " : "", ((ClmrsHouseholdItem *) g_ptr_array_index (items, j))->id);
      g_test_message ("\"%s\": %s", cases[i].prefix, ids->str);
      g_assert_cmpstr (ids->str, ==, cases[i].expected);
      g_assert_cmpint (clmrs_casebook_count_households (f->store, cases[i].prefix, &error), ==, items->len);
      g_assert_no_error (error);
    }

  /* the second page starts where the first ends */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) page = clmrs_casebook_search_households_page (f->store, "", 1, 10, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (page->len, ==, 1);
    g_assert_cmpstr (((ClmrsHouseholdItem *) g_ptr_array_index (page, 0))->id, ==, "H1");
  }
}

/* Names are found typed without their accents and in any case, at the
 * start of the name or of a word, whoever wrote them: a head renamed keeps
 * its key up to date; accents typed still find the name. */
static void
test_search_without_accents (Fixture *f, gconstpointer data)
{
  static const struct { const char *prefix; const char *expected; } cases[] = {
    { "kouame", "H3" },
    { "KOUAME", "H3" },
    { "kouamé", "H3" },         /* typed with the accent too */
    { "djedje", "H4" },         /* a later word */
    { "djédjé", "H4" },
    { "ebenezer", "H5" },       /* a capital with an accent */
    { "Ébénézer", "H5" },
    { "ebe", "H5" },
    { "kouam", "H3" },
    { "ouame", "" },            /* still not the middle of a word */
  };
  g_autoptr(GError) error = NULL;

  g_assert_true (clmrs_store_exec (f->store,
      "INSERT INTO households (id, community_id, head_name, head_sex, device_id, author, created, modified) VALUES"
      " ('H3', 'c-a', 'Kouamé Yao', 'male', 'd', 'F1', 'x', 'x'),"
      " ('H4', 'c-a', 'Zadi Djédjé', 'male', 'd', 'F1', 'x', 'x'),"
      " ('H5', 'c-a', 'Kwesi Mensah', 'male', 'd', 'F1', 'x', 'x');"
      "UPDATE households SET head_name = 'Ébénézer Mensah' WHERE id = 'H5';", &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) items = clmrs_casebook_search_households (f->store, cases[i].prefix, 10, &error);
      g_autoptr(GString) ids = g_string_new (NULL);

      g_assert_no_error (error);
      for (guint j = 0; j < items->len; j++)
        g_string_append_printf (ids, "%s%s", j ? " " : "", ((ClmrsHouseholdItem *) g_ptr_array_index (items, j))->id);
      g_test_message ("\"%s\": %s", cases[i].prefix, ids->str);
      g_assert_cmpstr (ids->str, ==, cases[i].expected);
      g_assert_cmpint (clmrs_casebook_count_households (f->store, cases[i].prefix, &error), ==, items->len);
      g_assert_no_error (error);
    }

  /* the name shown is the name as written */
  {
    g_autoptr(GPtrArray) items = clmrs_casebook_search_households (f->store, "kouame", 10, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (((ClmrsHouseholdItem *) g_ptr_array_index (items, 0))->head_name, ==, "Kouamé Yao");
  }
}

/* Every unfinished visit of a facilitator is listed, the last touched
 * first, with whom it is for: the household's head, the child, or the name
 * typed so far in a new household's draft; nobody else's drafts. */
static void
test_drafts (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  ClmrsDraftItem *d;

  g_assert_true (clmrs_store_exec (f->store,
      "UPDATE visits SET started = '2025-02-01T08:00:00Z', modified = '2025-02-01T09:00:00Z' WHERE id = 'V4';"
      "INSERT INTO visits (id, kind, form_id, form_version, state, facilitator_id, community_id, household_id,"
      "  child_id, started, modified) VALUES"
      " ('D1', 'follow_up', 'follow_up_visit', '1', 'draft', 'F1', NULL, 'H1', 'C1', '2025-02-02T08:00:00Z', '2025-02-02T08:05:00Z'),"
      " ('D2', 'household', 'household_visit', '1', 'draft', 'F1', 'c-a', NULL, NULL, '2025-02-03T08:00:00Z', '2025-02-03T08:01:00Z'),"
      " ('D3', 'household', 'household_visit', '1', 'draft', 'F2', 'c-a', NULL, NULL, '2025-02-04T08:00:00Z', '2025-02-04T08:01:00Z');"
      "INSERT INTO answers (visit_id, ref, seq, value) VALUES"
      " ('D2', '/household_visit/household/head_name', 1, 'Kouamé Ama');", &error));
  g_assert_no_error (error);

  drafts = clmrs_casebook_drafts (f->store, "F1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (drafts->len, ==, 3);
  d = g_ptr_array_index (drafts, 0);
  g_assert_cmpstr (d->visit_id, ==, "D2");
  g_assert_cmpstr (d->kind, ==, "household");
  g_assert_cmpstr (d->head_name, ==, "Kouamé Ama");
  g_assert_null (d->child_name);
  g_assert_cmpstr (d->started, ==, "2025-02-03T08:00:00Z");
  d = g_ptr_array_index (drafts, 1);
  g_assert_cmpstr (d->visit_id, ==, "D1");
  g_assert_cmpstr (d->kind, ==, "follow_up");
  g_assert_cmpstr (d->head_name, ==, "Kofi Boateng & Sons");
  g_assert_cmpstr (d->child_name, ==, "Yaw");
  d = g_ptr_array_index (drafts, 2);
  g_assert_cmpstr (d->visit_id, ==, "V4");

  /* discarding one keeps the others */
  g_assert_true (clmrs_store_draft_discard (f->store, "D1", &error));
  g_assert_no_error (error);
  g_clear_pointer (&drafts, g_ptr_array_unref);
  drafts = clmrs_casebook_drafts (f->store, "F1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (drafts->len, ==, 2);
  g_assert_cmpstr (((ClmrsDraftItem *) g_ptr_array_index (drafts, 0))->visit_id, ==, "D2");
  g_assert_cmpstr (((ClmrsDraftItem *) g_ptr_array_index (drafts, 1))->visit_id, ==, "V4");
}

static gint64
count_cases (ClmrsStore *store)
{
  return test_query_int (store, "SELECT count (*) FROM cases", NULL);
}

/* The cases are refreshed once a day, and again when the configuration
 * changes; a mark that cannot be read is an error, not a reason to skip
 * (nor to refresh without saying so). */
static void
test_refresh_if_stale (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  ClmrsCaseConfig config;
  gboolean refreshed = FALSE;
  GDate tomorrow = f->today;

  clmrs_case_config_init (&config);
  g_assert_true (clmrs_casebook_refresh_if_stale (f->store, &f->today, &config, &refreshed, &error));
  g_assert_no_error (error);
  g_assert_true (refreshed);
  g_assert_cmpint (count_cases (f->store), >, 0);

  /* the same day: nothing recomputed */
  g_assert_true (clmrs_store_exec (f->store, "DELETE FROM cases", &error));
  g_assert_true (clmrs_casebook_refresh_if_stale (f->store, &f->today, &config, &refreshed, &error));
  g_assert_no_error (error);
  g_assert_false (refreshed);
  g_assert_cmpint (count_cases (f->store), ==, 0);

  /* another interval, then another day */
  config.follow_up_months = 12;
  g_assert_true (clmrs_casebook_refresh_if_stale (f->store, &f->today, &config, &refreshed, &error));
  g_assert_true (refreshed);
  g_assert_cmpint (count_cases (f->store), >, 0);
  g_assert_true (clmrs_casebook_refresh_if_stale (f->store, &f->today, &config, &refreshed, &error));
  g_assert_false (refreshed);
  g_date_add_days (&tomorrow, 1);
  g_assert_true (clmrs_casebook_refresh_if_stale (f->store, &tomorrow, &config, &refreshed, &error));
  g_assert_no_error (error);
  g_assert_true (refreshed);

  test_store_fail_statements (f->store, "FROM meta");
  g_date_add_days (&tomorrow, 1);
  g_assert_false (clmrs_casebook_refresh_if_stale (f->store, &tomorrow, &config, &refreshed, &error));
  test_store_fail_statements (f->store, NULL);
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/casebook/household/head", test_head);
  ADD ("/casebook/household/children", test_children);
  ADD ("/casebook/household/case-config", test_case_config);
  ADD ("/casebook/household/visits", test_visits);
  ADD ("/casebook/household/other-household", test_other_household);
  ADD ("/casebook/household/not-found", test_not_found);
  ADD ("/casebook/search", test_search);
  ADD ("/casebook/search/without-accents", test_search_without_accents);
  ADD ("/casebook/drafts", test_drafts);
  ADD ("/casebook/refresh-if-stale", test_refresh_if_stale);
#undef ADD
  return g_test_run ();
}
