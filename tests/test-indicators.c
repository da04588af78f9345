/* test-indicators.c: every indicator on a dataset computed by hand, with periods, breakdowns, empty input and scale. */
#include "indicators.h"
#include "util.h"

#include <string.h>

/*
 * The dataset.  Today is 2025-03-01.  Two communities: c-a (H1-H3, visited
 * by facilitator F1, female) and c-b (H4-H6, F2, male; C11's follow-ups by
 * F3, female).
 *
 *   child  hh  sex  born        visits (HH household, FU follow-up)
 *   C01    H1  m    2012-05-01  HH 2024-01-10 HCL, FU 2024-07-10 not, FU 2025-01-10 at_risk (exit),
 *                               HH 2025-02-20 CL (relapse)
 *   C02    H1  f    2014-02-01  HH 2024-01-10 not, HH 2024-12-05 CL
 *   C03    H2  m    2010-01-01  HH 2024-01-12 CL, FU 2024-07-12 CL, FU 2025-01-12 not
 *   C04    H2  f    2016-06-01  HH 2024-01-12 at_risk, HH 2024-12-05 at_risk
 *   C05    H3  f    2011-03-01  HH 2024-01-15 WFCL, FU 2024-07-15 not
 *   C06    H3  m    2020-01-01  HH 2024-01-15 out_of_scope, HH 2024-12-10 out_of_scope
 *   C07    H4  m    2009-04-01  HH 2024-01-20 HCL, FU 2024-07-20 moved
 *   C08    H4  f    2013-07-01  HH 2024-01-20 not, HH 2025-01-20 not
 *   C09    H5  f    2012-09-01  HH 2024-02-05 not, HH 2025-02-10 HCL
 *   C10    H5  m    2015-11-01  HH 2024-02-05 not, HH 2025-02-10 not, HH 2025-04-01 CL (future: ignored)
 *   C11    H6  m    2011-12-01  HH 2024-02-08 HCL, FU 2024-08-08 not, FU 2025-02-08 not (exit)
 *   C12    H6  f    2006-06-15  HH 2024-02-08 HCL (18 on 2024-06-15: aged out)
 *
 * Supports: C01 school_kit + awareness_targeted 2024-01-25; H1 iga
 * 2024-03-01 (C01; C02 was not identified yet); C03 school_kit 2024-02-15;
 * C05 referral 2024-01-15 + birth_certificate 2024-02-01; H4 tools_safe
 * 2024-03-10 (C07, C08); C11 bicycle + school_fees 2024-04-01,
 * health_insurance 2024-05-01; H6 labour_support 2024-06-01 (C11, C12);
 * C02 school_kit 2024-12-20; a community-level awareness_community
 * 2024-05-01 (no child, no household: counts for nobody).
 *
 * Cases on 2025-03-01 (app/cases.c):
 *   C01 relapsed   types 3 (kit, awareness, iga), first support +15 d, 2 FU, first clean, exited once, relapsed
 *   C02 supported  types 1, +15 d (12-05 -> 12-20), 0 FU
 *   C03 supported  types 1, +34 d (01-12 -> 02-15), 2 FU, first dirty
 *   C05 referred   types 2, +0 d, 1 FU, first clean
 *   C07 moved_lost types 1, +50 d (01-20 -> 03-10, 2024 is a leap year), 0 FU
 *   C09 identified types 0, 0 FU
 *   C11 exited     types 4, +53 d (02-08 -> 04-01), 2 FU, first clean
 *   C12 aged_out   types 1, +114 d (02-08 -> 06-01), 0 FU
 */

#define F1 "F1", "female"
#define F2 "F2", "male"
#define F3 "F3", "female"

static const ClmrsHouseholdRow households[] = {
  { "H1", "c-a" }, { "H2", "c-a" }, { "H3", "c-a" },
  { "H4", "c-b" }, { "H5", "c-b" }, { "H6", "c-b" },
};

static const ClmrsChildRow children[] = {
  { "C01", "H1", "male",   "2012-05-01" },
  { "C02", "H1", "female", "2014-02-01" },
  { "C03", "H2", "male",   "2010-01-01" },
  { "C04", "H2", "female", "2016-06-01" },
  { "C05", "H3", "female", "2011-03-01" },
  { "C06", "H3", "male",   "2020-01-01" },
  { "C07", "H4", "male",   "2009-04-01" },
  { "C08", "H4", "female", "2013-07-01" },
  { "C09", "H5", "female", "2012-09-01" },
  { "C10", "H5", "male",   "2015-11-01" },
  { "C11", "H6", "male",   "2011-12-01" },
  { "C12", "H6", "female", "2006-06-15" },
};

/* Follow-ups leave community NULL: it falls back to the household's. */
static const ClmrsAssessmentRow assessments[] = {
  { "V01", "C01", "household", "2024-01-10", "hazardous_child_labour", NULL, FALSE, 0, "no", F1, "c-a" },
  { "V01", "C02", "household", "2024-01-10", "not_in_child_labour", NULL, FALSE, 0, NULL, F1, "c-a" },
  { "V02", "C03", "household", "2024-01-12", "child_labour", NULL, FALSE, 0, "no", F1, "c-a" },
  { "V02", "C04", "household", "2024-01-12", "at_risk", NULL, FALSE, 0, NULL, F1, "c-a" },
  { "V03", "C05", "household", "2024-01-15", "worst_form", NULL, FALSE, 0, "no", F1, "c-a" },
  { "V03", "C06", "household", "2024-01-15", "out_of_scope", NULL, FALSE, 0, NULL, F1, "c-a" },
  { "V04", "C07", "household", "2024-01-20", "hazardous_child_labour", NULL, FALSE, 0, NULL, F2, "c-b" },
  { "V04", "C08", "household", "2024-01-20", "not_in_child_labour", NULL, FALSE, 0, NULL, F2, "c-b" },
  { "V05", "C09", "household", "2024-02-05", "not_in_child_labour", NULL, FALSE, 0, NULL, F2, "c-b" },
  { "V05", "C10", "household", "2024-02-05", "not_in_child_labour", NULL, FALSE, 0, NULL, F2, "c-b" },
  { "V06", "C11", "household", "2024-02-08", "hazardous_child_labour", NULL, FALSE, 0, "yes", F2, "c-b" },
  { "V06", "C12", "household", "2024-02-08", "hazardous_child_labour", NULL, FALSE, 0, NULL, F2, "c-b" },
  { "V07", "C01", "follow_up", "2024-07-10", "not_in_child_labour", "present", FALSE, 0, "yes", F1, NULL },
  { "V08", "C03", "follow_up", "2024-07-12", "child_labour", "present", FALSE, 0, "no", F1, NULL },
  { "V09", "C05", "follow_up", "2024-07-15", "not_in_child_labour", "present", FALSE, 0, "yes", F1, NULL },
  { "V10", "C07", "follow_up", "2024-07-20", NULL, "moved", FALSE, 0, NULL, F2, NULL },
  { "V11", "C11", "follow_up", "2024-08-08", "not_in_child_labour", "present", FALSE, 0, "yes", F3, NULL },
  { "V12", "C02", "household", "2024-12-05", "child_labour", NULL, FALSE, 0, NULL, F1, "c-a" },
  { "V12", "C04", "household", "2024-12-05", "at_risk", NULL, FALSE, 0, NULL, F1, "c-a" },
  { "V13", "C06", "household", "2024-12-10", "out_of_scope", NULL, FALSE, 0, NULL, F1, "c-a" },
  /* at_risk is out of child labour only with the since-last-visit recall */
  { "V14", "C01", "follow_up", "2025-01-10", "at_risk", "present", FALSE, 0, "yes", F1, NULL,
    CLMRS_HAZARD_SINCE_LAST_NONE },
  { "V15", "C03", "follow_up", "2025-01-12", "not_in_child_labour", "present", FALSE, 0, "yes", F1, NULL },
  { "V16", "C08", "household", "2025-01-20", "not_in_child_labour", NULL, FALSE, 0, NULL, F2, "c-b" },
  { "V17", "C11", "follow_up", "2025-02-08", "not_in_child_labour", "present", FALSE, 0, "yes", F3, NULL },
  { "V18", "C09", "household", "2025-02-10", "hazardous_child_labour", NULL, FALSE, 0, NULL, F2, "c-b" },
  { "V18", "C10", "household", "2025-02-10", "not_in_child_labour", NULL, FALSE, 0, NULL, F2, "c-b" },
  { "V19", "C01", "household", "2025-02-20", "child_labour", NULL, FALSE, 0, NULL, F1, "c-a" },
  { "V20", "C10", "household", "2025-04-01", "child_labour", NULL, FALSE, 0, NULL, F2, "c-b" },
};

static const ClmrsSupportRow supports[] = {
  { "C01", NULL, "school_kit", "2024-01-25" },
  { "C01", NULL, "awareness_targeted", "2024-01-25" },
  { NULL, "H1", "iga", "2024-03-01" },
  { "C03", NULL, "school_kit", "2024-02-15" },
  { "C05", NULL, "referral", "2024-01-15" },
  { "C05", NULL, "birth_certificate", "2024-02-01" },
  { NULL, "H4", "tools_safe", "2024-03-10" },
  { "C11", NULL, "bicycle", "2024-04-01" },
  { "C11", NULL, "school_fees", "2024-04-01" },
  { "C11", NULL, "health_insurance", "2024-05-01" },
  { NULL, "H6", "labour_support", "2024-06-01" },
  { "C02", NULL, "school_kit", "2024-12-20" },
  { NULL, NULL, "awareness_community", "2024-05-01" },
};

static const ClmrsAwarenessRow sessions[] = {
  { "2024-03-05", "c-a", "community", 10, 12, 5, 6, NULL },
  { "2024-06-10", "c-b", "household", 1, 1, 1, 0, "H4" },
  { "2025-01-15", "c-a", "school", 0, 2, 20, 22, NULL },
};

static JsonNode *
compute (const char *from,
         const char *to)
{
  ClmrsIndicatorsInput input = {
    households, G_N_ELEMENTS (households),
    children, G_N_ELEMENTS (children),
    assessments, G_N_ELEMENTS (assessments),
    supports, G_N_ELEMENTS (supports),
    sessions, G_N_ELEMENTS (sessions),
    from, to, NULL,
  };
  GDate today;
  g_autoptr(GError) error = NULL;
  JsonNode *result;

  g_assert_true (clmrs_date_parse ("2025-03-01", &today));
  result = clmrs_indicators_compute (&input, &today, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  return result;
}

/* The node at a dotted @path ("cases.support_coverage"). */
static JsonNode *
lookup (JsonNode   *root,
        const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);
  JsonNode *node = root;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      JsonObject *object;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        g_error ("%s: “%s” is not an object", path, parts[i]);
      object = json_node_get_object (node);
      node = json_object_get_member (object, parts[i]);
      if (node == NULL)
        g_error ("%s: no member “%s”", path, parts[i]);
    }
  return node;
}

static void
check_int (JsonNode   *root,
           const char *path,
           gint64      expected)
{
  JsonNode *node = lookup (root, path);

  if (json_node_get_value_type (node) != G_TYPE_INT64 || json_node_get_int (node) != expected)
    {
      g_autofree char *text = json_to_string (node, FALSE);

      g_error ("%s: expected %" G_GINT64_FORMAT ", got %s", path, expected, text);
    }
}

#define NO_PERCENT (-1.0)

/* A ratio {numerator, denominator, percent}; @percent NO_PERCENT = null. */
static void
check_ratio (JsonNode   *root,
             const char *path,
             gint64      numerator,
             gint64      denominator,
             double      percent)
{
  g_autofree char *n = g_strconcat (path, ".numerator", NULL);
  g_autofree char *d = g_strconcat (path, ".denominator", NULL);
  g_autofree char *p = g_strconcat (path, ".percent", NULL);
  JsonNode *node;

  check_int (root, n, numerator);
  check_int (root, d, denominator);
  node = lookup (root, p);
  if (percent < 0)
    g_assert_true (JSON_NODE_HOLDS_NULL (node));
  else
    g_assert_cmpfloat_with_epsilon (json_node_get_double (node), percent, 1e-9);
}

/* The identification indicators of one group. */
static void
check_identification (JsonNode   *root,
                      const char *prefix,
                      gint64      monitored,
                      gint64      identified,
                      double      identified_pct,
                      gint64      cl,
                      double      cl_pct,
                      gint64      hcl,
                      double      hcl_pct,
                      gint64      wf,
                      double      wf_pct)
{
  g_autofree char *p_monitored = g_strconcat (prefix, "children_monitored", NULL);
  g_autofree char *p_identified = g_strconcat (prefix, "children_identified", NULL);
  g_autofree char *p_cl = g_strconcat (prefix, "child_labour_non_hazardous", NULL);
  g_autofree char *p_hcl = g_strconcat (prefix, "hazardous_child_labour", NULL);
  g_autofree char *p_wf = g_strconcat (prefix, "worst_forms", NULL);

  check_int (root, p_monitored, monitored);
  check_ratio (root, p_identified, identified, monitored, identified_pct);
  check_ratio (root, p_cl, cl, monitored, cl_pct);
  check_ratio (root, p_hcl, hcl, monitored, hcl_pct);
  check_ratio (root, p_wf, wf, monitored, wf_pct);
}

static guint
count_members (JsonNode   *root,
               const char *path)
{
  return json_object_get_size (json_node_get_object (lookup (root, path)));
}

static void
test_all_time (void)
{
  g_autoptr(JsonNode) r = compute (NULL, NULL);

  /* V20 (C10, 2025-04-01) is after today. */
  check_int (r, "ignored_future_records", 1);

  /* Households with an in-scope child assessed: all six. */
  check_int (r, "households_covered", 6);
  /* Monitored: the 12 children but C06 (out of scope) = 11.  Identified
   * at any visit: C01 C02 C03 C05 C07 C09 C11 C12 = 8; 8/11 = 72.7%.
   * Worst finding: CL only C02 C03 = 2 (2/11 = 18.2%); HCL C01 C07 C09
   * C11 C12 = 5 (45.5%); WFCL C05 = 1 (9.1%). */
  check_identification (r, "", 11, 8, 72.7, 2, 18.2, 5, 45.5, 1, 9.1);
  check_int (r, "children_ever_identified", 8);
  check_int (r, "facilitators_active", 3);

  /* Cases: the cohort is the 8 identified children. */
  check_int (r, "cases.cohort", 8);
  /* >= 1 type: all but C09 = 7/8 = 87.5%; >= 2: C01 (3) C05 (2) C11 (4)
   * = 3/8 = 37.5%; >= 4: C11 = 1/8 = 12.5%. */
  check_ratio (r, "cases.support_coverage", 7, 8, 87.5);
  check_ratio (r, "cases.multi_support_2", 3, 8, 37.5);
  check_ratio (r, "cases.multi_support_4", 1, 8, 12.5);
  /* Days: 0 15 15 34 50 53 114 -> the 4th of 7 = 34. */
  g_assert_cmpfloat_with_epsilon (json_node_get_double (lookup (r, "cases.median_days_to_first_support")),
                                  34.0, 1e-9);
  /* >= 1 follow-up: C01 C03 C05 C11 = 4/8 = 50%; >= 2: C01 C03 C11 = 3/8
   * = 37.5% (C07's follow-up found him moved: not assessed). */
  check_ratio (r, "cases.follow_up_1", 4, 8, 50.0);
  check_ratio (r, "cases.follow_up_2", 3, 8, 37.5);
  /* First follow-up clean: C01 C05 C11, not C03 = 3/4 = 75%. */
  check_ratio (r, "cases.stopped_at_first_follow_up", 3, 4, 75.0);
  /* Exited: C01 C11 = 2; of the 3 with >= 2 follow-ups 66.7%; of 8 25%. */
  check_ratio (r, "cases.exited_of_two_follow_ups", 2, 3, 66.7);
  check_ratio (r, "cases.exited_of_identified", 2, 8, 25.0);
  /* Relapse: C01 of the 2 exited = 50%. */
  check_ratio (r, "cases.relapse", 1, 2, 50.0);
  /* School: C01 C03 C05 C11 have in_school at identification and at their
   * latest follow-up; attending 1 (C11) then 4: 25% -> 100%, +75 points. */
  check_int (r, "cases.school_participation.children", 4);
  check_ratio (r, "cases.school_participation.attending_at_identification", 1, 4, 25.0);
  check_ratio (r, "cases.school_participation.attending_at_latest_follow_up", 4, 4, 100.0);
  g_assert_cmpfloat_with_epsilon (json_node_get_double (lookup (r, "cases.school_participation.change_points")),
                                  75.0, 1e-9);
  check_int (r, "cases.status.identified", 1);         /* C09 */
  check_int (r, "cases.status.supported", 2);          /* C02 C03 */
  check_int (r, "cases.status.follow_up_due", 0);
  check_int (r, "cases.status.follow_up_overdue", 0);
  check_int (r, "cases.status.exited", 1);             /* C11 */
  check_int (r, "cases.status.relapsed", 1);           /* C01 */
  check_int (r, "cases.status.aged_out", 1);           /* C12 */
  check_int (r, "cases.status.moved_lost", 1);         /* C07 */
  check_int (r, "cases.status.referred", 1);           /* C05 (also overdue) */

  /* Awareness: 3 sessions; men 10+1+0 = 11, women 12+1+2 = 15, boys
   * 5+1+20 = 26, girls 6+0+22 = 28; male 37, female 43, adults 26,
   * children 54, total 80.  Targeted households: H4 (session) and H1
   * (awareness_targeted support to C01) = 2. */
  check_int (r, "awareness.sessions", 3);
  check_int (r, "awareness.sessions_by_level.community", 1);
  check_int (r, "awareness.sessions_by_level.household", 1);
  check_int (r, "awareness.sessions_by_level.school", 1);
  check_int (r, "awareness.participants.men", 11);
  check_int (r, "awareness.participants.women", 15);
  check_int (r, "awareness.participants.boys", 26);
  check_int (r, "awareness.participants.girls", 28);
  check_int (r, "awareness.participants.male", 37);
  check_int (r, "awareness.participants.female", 43);
  check_int (r, "awareness.participants.adults", 26);
  check_int (r, "awareness.participants.children", 54);
  check_int (r, "awareness.participants.total", 80);
  check_int (r, "awareness.households_targeted", 2);
}

static void
test_breakdowns (void)
{
  g_autoptr(JsonNode) r = compute (NULL, NULL);

  /* By community (the visit's, else the household's).  c-a: C01-C05 = 5;
   * identified C01 (HCL) C02 (CL) C03 (CL) C05 (WF) = 4 (80%).  c-b:
   * C07-C12 = 6; identified C07 C09 C11 C12, all HCL = 4 (66.7%). */
  g_assert_cmpuint (count_members (r, "breakdowns.by_community"), ==, 2);
  check_identification (r, "breakdowns.by_community.c-a.", 5, 4, 80.0, 2, 40.0, 1, 20.0, 1, 20.0);
  check_identification (r, "breakdowns.by_community.c-b.", 6, 4, 66.7, 0, 0.0, 4, 66.7, 0, 0.0);

  /* By facilitator sex.  female (F1, F3): C01 C02 C03 C04 C05 C11 = 6;
   * identified C01 (HCL) C02 C03 (CL) C05 (WF) = 4; C11 only clean
   * follow-ups with F3.  male (F2): C07 C08 C09 C10 C11 C12 = 6;
   * identified C07 C09 C11 C12 (HCL) = 4. */
  g_assert_cmpuint (count_members (r, "breakdowns.by_facilitator_sex"), ==, 2);
  check_identification (r, "breakdowns.by_facilitator_sex.female.", 6, 4, 66.7, 2, 33.3, 1, 16.7, 1, 16.7);
  check_identification (r, "breakdowns.by_facilitator_sex.male.", 6, 4, 66.7, 0, 0.0, 4, 66.7, 0, 0.0);

  /* By month of the visit (in scope, child present). */
  g_assert_cmpuint (count_members (r, "breakdowns.by_month"), ==, 7);
  /* 2024-01: C01 C02 C03 C04 C05 C07 C08 = 7; C01 HCL, C03 CL, C05 WF,
   * C07 HCL = 4 (57.1%); CL 1 (14.3), HCL 2 (28.6), WF 1 (14.3). */
  check_identification (r, "breakdowns.by_month.2024-01.", 7, 4, 57.1, 1, 14.3, 2, 28.6, 1, 14.3);
  /* 2024-02: C09 C10 C11 C12; C11 C12 HCL. */
  check_identification (r, "breakdowns.by_month.2024-02.", 4, 2, 50.0, 0, 0.0, 2, 50.0, 0, 0.0);
  /* 2024-07: C01 C03 C05 (C07 moved: not assessed); C03 CL. */
  check_identification (r, "breakdowns.by_month.2024-07.", 3, 1, 33.3, 1, 33.3, 0, 0.0, 0, 0.0);
  /* 2024-08: C11 clean. */
  check_identification (r, "breakdowns.by_month.2024-08.", 1, 0, 0.0, 0, 0.0, 0, 0.0, 0, 0.0);
  /* 2024-12: C02 CL, C04 at_risk (C06 out of scope). */
  check_identification (r, "breakdowns.by_month.2024-12.", 2, 1, 50.0, 1, 50.0, 0, 0.0, 0, 0.0);
  /* 2025-01: C01 C03 C08, all clean. */
  check_identification (r, "breakdowns.by_month.2025-01.", 3, 0, 0.0, 0, 0.0, 0, 0.0, 0, 0.0);
  /* 2025-02: C11 C09 C10 C01; C09 HCL, C01 CL. */
  check_identification (r, "breakdowns.by_month.2025-02.", 4, 2, 50.0, 1, 25.0, 1, 25.0, 0, 0.0);

  /* By child sex.  male: C01 C03 C07 C10 C11 (C06 out of scope) = 5;
   * C01 C07 C11 HCL, C03 CL = 4.  female: C02 C04 C05 C08 C09 C12 = 6;
   * C02 CL, C05 WF, C09 C12 HCL = 4. */
  check_identification (r, "breakdowns.by_child_sex.male.", 5, 4, 80.0, 1, 20.0, 3, 60.0, 0, 0.0);
  check_identification (r, "breakdowns.by_child_sex.female.", 6, 4, 66.7, 1, 16.7, 2, 33.3, 1, 16.7);
}

static void
test_period (void)
{
  g_autoptr(JsonNode) r = compute ("2024-12-01", "2025-02-28");

  g_assert_cmpstr (json_node_get_string (lookup (r, "period.from")), ==, "2024-12-01");
  /* In the period: C02 CL, C04 at_risk (12-05); C01 at_risk, C03 not
   * (follow-ups), C08 not (01-20); C11 not, C09 HCL, C10 not, C01 CL (02).
   * Monitored C01 C02 C03 C04 C08 C09 C10 C11 = 8, in H1 H2 H4 H5 H6 = 5
   * households.  Identified C01 (CL) C02 (CL) C09 (HCL) = 3/8 = 37.5%. */
  check_int (r, "households_covered", 5);
  check_identification (r, "", 8, 3, 37.5, 2, 25.0, 1, 12.5, 0, 0.0);
  /* Ever identified by the end of the period: all 8 (first identified
   * between 2024-01-10 and 2025-02-10). */
  check_int (r, "children_ever_identified", 8);
  check_int (r, "facilitators_active", 3);

  /* Cohort: first identified in the period: C02 (12-05), C09 (02-10).
   * C01 was first identified in 2024-01: not in it. */
  check_int (r, "cases.cohort", 2);
  check_ratio (r, "cases.support_coverage", 1, 2, 50.0);
  check_ratio (r, "cases.multi_support_2", 0, 2, 0.0);
  check_ratio (r, "cases.multi_support_4", 0, 2, 0.0);
  g_assert_cmpfloat_with_epsilon (json_node_get_double (lookup (r, "cases.median_days_to_first_support")),
                                  15.0, 1e-9);
  check_ratio (r, "cases.follow_up_1", 0, 2, 0.0);
  check_ratio (r, "cases.follow_up_2", 0, 2, 0.0);
  check_ratio (r, "cases.stopped_at_first_follow_up", 0, 0, NO_PERCENT);
  check_ratio (r, "cases.exited_of_two_follow_ups", 0, 0, NO_PERCENT);
  check_ratio (r, "cases.exited_of_identified", 0, 2, 0.0);
  check_ratio (r, "cases.relapse", 0, 0, NO_PERCENT);
  check_int (r, "cases.school_participation.children", 0);
  g_assert_true (JSON_NODE_HOLDS_NULL (lookup (r, "cases.school_participation.change_points")));
  check_int (r, "cases.status.supported", 1);
  check_int (r, "cases.status.identified", 1);
  check_int (r, "cases.status.relapsed", 0);

  /* Awareness: only the school session of 2025-01-15 (0, 2, 20, 22); no
   * targeted household in the period. */
  check_int (r, "awareness.sessions", 1);
  check_int (r, "awareness.sessions_by_level.school", 1);
  g_assert_cmpuint (count_members (r, "awareness.sessions_by_level"), ==, 1);
  check_int (r, "awareness.participants.total", 44);
  check_int (r, "awareness.participants.female", 24);
  check_int (r, "awareness.participants.adults", 2);
  check_int (r, "awareness.households_targeted", 0);

  /* Months of the period only. */
  g_assert_cmpuint (count_members (r, "breakdowns.by_month"), ==, 3);
  check_identification (r, "breakdowns.by_month.2024-12.", 2, 1, 50.0, 1, 50.0, 0, 0.0, 0, 0.0);
  /* female (F1, F3): C02 C04 C01 C03 C11 = 5; C01 C02 CL = 2.  male (F2):
   * C08 C09 C10 = 3; C09 HCL. */
  check_identification (r, "breakdowns.by_facilitator_sex.female.", 5, 2, 40.0, 2, 40.0, 0, 0.0, 0, 0.0);
  check_identification (r, "breakdowns.by_facilitator_sex.male.", 3, 1, 33.3, 0, 0.0, 1, 33.3, 0, 0.0);
}

/* A period that ends before a child's relapse sees them as they were. */
static void
test_period_bounds_inclusive (void)
{
  g_autoptr(JsonNode) one_day = compute ("2024-01-10", "2024-01-10");
  g_autoptr(JsonNode) before = compute ("2023-01-01", "2024-01-09");

  /* V01 only: C01 HCL, C02 clean. */
  check_identification (one_day, "", 2, 1, 50.0, 0, 0.0, 1, 50.0, 0, 0.0);
  check_int (one_day, "households_covered", 1);
  check_int (one_day, "cases.cohort", 1);
  check_int (one_day, "children_ever_identified", 1);
  /* Nothing before the first visit. */
  check_identification (before, "", 0, 0, NO_PERCENT, 0, NO_PERCENT, 0, NO_PERCENT, 0, NO_PERCENT);
  check_int (before, "children_ever_identified", 0);
  check_int (before, "cases.cohort", 0);
}

static void
test_empty (void)
{
  ClmrsIndicatorsInput input = { 0 };
  GDate today;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) r = NULL;

  g_assert_true (clmrs_date_parse ("2025-03-01", &today));
  r = clmrs_indicators_compute (&input, &today, &error);
  g_assert_no_error (error);
  check_int (r, "households_covered", 0);
  check_identification (r, "", 0, 0, NO_PERCENT, 0, NO_PERCENT, 0, NO_PERCENT, 0, NO_PERCENT);
  check_int (r, "children_ever_identified", 0);
  check_int (r, "cases.cohort", 0);
  check_ratio (r, "cases.support_coverage", 0, 0, NO_PERCENT);
  check_ratio (r, "cases.exited_of_two_follow_ups", 0, 0, NO_PERCENT);
  check_ratio (r, "cases.relapse", 0, 0, NO_PERCENT);
  g_assert_true (JSON_NODE_HOLDS_NULL (lookup (r, "cases.median_days_to_first_support")));
  g_assert_true (JSON_NODE_HOLDS_NULL (lookup (r, "cases.school_participation.change_points")));
  check_int (r, "awareness.sessions", 0);
  check_int (r, "awareness.participants.total", 0);
  g_assert_cmpuint (count_members (r, "breakdowns.by_community"), ==, 0);
  g_assert_cmpuint (count_members (r, "breakdowns.by_month"), ==, 0);
  g_assert_true (JSON_NODE_HOLDS_NULL (lookup (r, "period.from")));
  check_int (r, "case_config.follow_up_months", 6);
  check_int (r, "case_config.overdue_grace_days", 30);
}

/* The same rows under a 2-month interval and no grace: only scheduling
 * changes, so the configuration reaches app/cases.c. */
static void
test_case_config_passed_to_cases (void)
{
  ClmrsCaseConfig config = { 2, 0 };
  ClmrsIndicatorsInput input = {
    households, G_N_ELEMENTS (households), children, G_N_ELEMENTS (children),
    assessments, G_N_ELEMENTS (assessments), supports, G_N_ELEMENTS (supports),
    sessions, G_N_ELEMENTS (sessions), NULL, NULL, &config,
  };
  GDate today;
  g_autoptr(JsonNode) r = NULL;

  g_assert_true (clmrs_date_parse ("2025-03-01", &today));
  r = clmrs_indicators_compute (&input, &today, NULL);
  /* C02: last visit 2024-12-05, due 2025-02-05, overdue on 2025-03-01
   * (6 months: supported).  C03: last visit 2025-01-12, due 2025-03-12:
   * still supported.  C09 (2025-02-10, due 2025-04-10) identified. */
  check_int (r, "cases.status.supported", 1);
  check_int (r, "cases.status.follow_up_overdue", 1);
  check_int (r, "cases.status.identified", 1);
  check_int (r, "case_config.follow_up_months", 2);
  check_int (r, "case_config.overdue_grace_days", 0);
}

typedef struct {
  const char *name;
  int         which;       /* the row to spoil */
  const char *mentions;
} BadCase;

static const BadCase bad_cases[] = {
  { "unknown-child", 0, "visit “V01”: child_id “C99” names no child" },
  { "bad-date", 1, "visit “V01”: date “2024-01-32”" },
  { "bad-status", 2, "visit “V01”: status “hazardous”" },
  { "bad-in-school", 3, "visit “V01”: in_school “maybe”" },
  { "unknown-household", 4, "child “C01”: household_id “H9” names no household" },
  { "duplicate-child", 5, "child “C02” appears twice" },
  { "support-household", 6, "support 2: household_id “H9” names no household" },
  { "period", 7, "period from “2025-02-30”" },
  { "period-reversed", 8, "period from “2025-02-01” is after to “2025-01-01”" },
  { "session-household", 9, "awareness session 1 (2024-06-10): household_id “H9”" },
};

/* Issue #11: children seen only through an adult's answers are counted
 * apart (9); closed cases leave the stock and the follow-up denominators,
 * a duplicate leaves everything (3); hazardous work stopped at the first
 * follow-up and support within 3 months (5). */
static void
test_interviewed_closed_hazardous (void)
{
  static const ClmrsHouseholdRow hh[] = { { "H1", "c-a" } };
  static const ClmrsChildRow kids[] = {
    { "K1", "H1", "male", "2012-01-01" }, { "K2", "H1", "female", "2012-01-01" },
    { "K3", "H1", "male", "2012-01-01" }, { "K4", "H1", "female", "2012-01-01" },
    { "K5", "H1", "male", "2012-01-01" }, { "K6", "H1", "female", "2012-01-01" },
  };
  static const ClmrsAssessmentRow rows[] = {
    { "V1", "K1", "household", "2024-01-10", "hazardous_child_labour", NULL, FALSE, 0, "no", "F", "female", NULL },
    { "V1", "K2", "household", "2024-01-10", "hazardous_child_labour", NULL, FALSE, 0, "no", "F", "female", NULL },
    { "V1", "K3", "household", "2024-01-10", "child_labour", NULL, FALSE, 0, "no", "F", "female", NULL,
      0, 0, TRUE },
    { "V1", "K4", "household", "2024-01-10", "child_labour", NULL, FALSE, 0, "no", "F", "female", NULL },
    { "V1", "K5", "household", "2024-01-10", "child_labour", NULL, FALSE, 0, "no", "F", "female", NULL },
    { "V1", "K6", "household", "2024-01-10", "not_in_child_labour", NULL, FALSE, 0, "yes", "F", "female", NULL },
    { "V2", "K1", "follow_up", "2024-07-10", "not_in_child_labour", "present", FALSE, 0, "yes", "F", "female",
      NULL, CLMRS_HAZARD_SINCE_LAST_NONE, 0, FALSE, "school_kit" },
    { "V3", "K2", "follow_up", "2024-07-10", "hazardous_child_labour", "present", FALSE, 0, "no", "F", "female",
      NULL, CLMRS_HAZARD_SINCE_LAST_FOUND, 0, FALSE, "cash_transfer" },
  };
  static const ClmrsSupportRow sups[] = {
    { "K1", NULL, "school_kit", "2024-02-01" },
    { "K2", NULL, "school_kit", "2024-06-01" },
    { "K2", NULL, "iga", "2024-03-01", "planned" },
  };
  static const ClmrsClosureRow closures[] = {
    { "K4", "2024-05-01", "moved_out" },
    { "K5", "2024-02-01", "duplicate" },
  };
  ClmrsIndicatorsInput input = {
    hh, G_N_ELEMENTS (hh), kids, G_N_ELEMENTS (kids), rows, G_N_ELEMENTS (rows),
    sups, G_N_ELEMENTS (sups), NULL, 0, NULL, NULL, NULL, closures, G_N_ELEMENTS (closures),
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) r = NULL;
  GDate today;

  g_assert_true (clmrs_date_parse ("2024-08-01", &today));
  r = clmrs_indicators_compute (&input, &today, &error);
  g_assert_no_error (error);
  /* interviewed: K1 K2 K4 K6 (K3 by proxy only, K5 a duplicate) */
  check_int (r, "children_monitored", 4);
  check_ratio (r, "children_identified", 3, 4, 75.0);
  check_int (r, "children_proxy_only", 1);
  check_int (r, "children_identified_by_proxy", 1);
  check_int (r, "breakdowns.by_community.c-a.children_proxy_only", 1);
  /* the stock: K1 K2 K3 (K4 closed, K5 a duplicate) */
  check_int (r, "children_ever_identified", 3);
  /* the cohort K1 K2 K3 K4; K4 closed without an exit is not followable */
  check_int (r, "cases.cohort", 4);
  check_int (r, "cases.followable", 3);
  check_ratio (r, "cases.follow_up_1", 2, 3, 66.7);
  check_ratio (r, "cases.exited_of_identified", 0, 3, 0.0);
  check_int (r, "cases.closed_by_reason.moved_out", 1);
  check_int (r, "cases.closed_by_reason.duplicate", 1);
  check_int (r, "cases.closed_by_reason.deceased", 0);
  check_int (r, "cases.status.closed", 1);
  /* K1 stopped hazardous work at the first follow-up, K2 did not */
  check_ratio (r, "cases.stopped_hazardous_at_first_follow_up", 1, 2, 50.0);
  /* K1's kit 22 days after; K2's 143 days after, its planned IGA not counted */
  check_ratio (r, "cases.supported_within_3_months", 1, 4, 25.0);
  /* item 11: K1 said the kit the records hold; K2's family said a cash
   * transfer nobody recorded, and not the kit recorded (the planned IGA is
   * no support received) */
  check_int (r, "cases.support_reconciliation.follow_ups", 2);
  check_ratio (r, "cases.support_reconciliation.matching", 1, 2, 50.0);
  check_int (r, "cases.support_reconciliation.reported_not_recorded", 1);
  check_int (r, "cases.support_reconciliation.recorded_not_reported", 1);
}

static void
test_bad_input (gconstpointer data)
{
  const BadCase *bad = data;
  g_autofree ClmrsChildRow *kids = g_memdup2 (children, sizeof children);
  g_autofree ClmrsAssessmentRow *rows = g_memdup2 (assessments, sizeof assessments);
  g_autofree ClmrsSupportRow *sups = g_memdup2 (supports, sizeof supports);
  g_autofree ClmrsAwarenessRow *sess = g_memdup2 (sessions, sizeof sessions);
  ClmrsIndicatorsInput input = {
    households, G_N_ELEMENTS (households), kids, G_N_ELEMENTS (children),
    rows, G_N_ELEMENTS (assessments), sups, G_N_ELEMENTS (supports),
    sess, G_N_ELEMENTS (sessions), NULL, NULL, NULL,
  };
  GDate today;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) r = NULL;

  switch (bad->which)
    {
    case 0: rows[0].child_id = "C99"; break;
    case 1: rows[0].date = "2024-01-32"; break;
    case 2: rows[0].status = "hazardous"; break;
    case 3: rows[0].in_school = "maybe"; break;
    case 4: kids[0].household_id = "H9"; break;
    case 5: kids[2].id = "C02"; break;
    case 6: sups[2].household_id = "H9"; break;
    case 7: input.from = "2025-02-30"; break;
    case 8: input.from = "2025-02-01"; input.to = "2025-01-01"; break;
    case 9: sess[1].household_id = "H9"; break;
    default: g_assert_not_reached ();
    }
  g_assert_true (clmrs_date_parse ("2025-03-01", &today));
  r = clmrs_indicators_compute (&input, &today, &error);
  g_assert_null (r);
  g_assert_error (error, CLMRS_INDICATORS_ERROR, CLMRS_INDICATORS_ERROR_INVALID);
  if (strstr (error->message, bad->mentions) == NULL)
    g_error ("expected “%s” in “%s”", bad->mentions, error->message);
}

static const char *
keep (GPtrArray *strings,
      char      *text)
{
  g_ptr_array_add (strings, text);
  return text;
}

/* 60,000 children in 20,000 households, 150,000 assessments, 40,000
 * supports.  Each child's history is built so its outcome is known: the
 * totals must match, and the run must stay well under a second. */
static void
test_scale (void)
{
  enum { N_HOUSEHOLDS = 20000, N_CHILDREN = 60000 };
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  g_autofree ClmrsHouseholdRow *hh = g_new0 (ClmrsHouseholdRow, N_HOUSEHOLDS);
  g_autofree ClmrsChildRow *kids = g_new0 (ClmrsChildRow, N_CHILDREN);
  g_autoptr(GArray) rows = g_array_new (FALSE, TRUE, sizeof (ClmrsAssessmentRow));
  g_autoptr(GArray) sups = g_array_new (FALSE, TRUE, sizeof (ClmrsSupportRow));
  static const char *communities[] = { "c-0", "c-1", "c-2", "c-3", "c-4", "c-5", "c-6", "c-7" };
  guint expected_identified = 0, expected_exited = 0;
  ClmrsIndicatorsInput input = { 0 };
  GDate today;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) r = NULL;
  gint64 start, elapsed;

#define KEEP(s) keep (strings, (s))
  for (guint h = 0; h < N_HOUSEHOLDS; h++)
    hh[h] = (ClmrsHouseholdRow) { KEEP (g_strdup_printf ("H%05u", h)), communities[h % 8] };
  for (guint c = 0; c < N_CHILDREN; c++)
    {
      const char *id = KEEP (g_strdup_printf ("C%05u", c));
      const char *fsex = c % 5 == 0 ? "female" : "male";
      ClmrsAssessmentRow row = { "V", id, "household", "2024-03-15", "not_in_child_labour",
                                 NULL, FALSE, 0, NULL, "F", fsex, NULL };

      kids[c] = (ClmrsChildRow) { id, hh[c / 3].id, c % 2 ? "male" : "female", "2012-01-01" };
      switch (c % 4)
        {
        case 0:  /* clean twice: 2 assessments */
          g_array_append_val (rows, row);
          row.date = "2025-03-15";
          g_array_append_val (rows, row);
          break;
        case 1:  /* identified, supported, exits: 3 assessments */
          row.status = "hazardous_child_labour";
          g_array_append_val (rows, row);
          row.kind = "follow_up";
          row.status = "not_in_child_labour";
          row.in_school = "yes";      /* the alternative exit rests on */
          row.date = "2024-09-15";
          g_array_append_val (rows, row);
          row.date = "2025-03-15";
          g_array_append_val (rows, row);
          g_array_append_val (sups, ((ClmrsSupportRow) { id, NULL, "school_kit", "2024-04-01" }));
          expected_identified++;
          expected_exited++;
          break;
        case 2:  /* identified, one dirty follow-up: 2 assessments */
          row.status = "child_labour";
          g_array_append_val (rows, row);
          row.kind = "follow_up";
          row.date = "2024-09-15";
          g_array_append_val (rows, row);
          g_array_append_val (sups, ((ClmrsSupportRow) { NULL, hh[c / 3].id, "iga", "2024-05-01" }));
          expected_identified++;
          break;
        default: /* at risk, three visits: 3 assessments */
          row.status = "at_risk";
          g_array_append_val (rows, row);
          row.date = "2024-09-15";
          g_array_append_val (rows, row);
          row.date = "2025-03-15";
          g_array_append_val (rows, row);
          break;
        }
    }
#undef KEEP
  g_assert_cmpuint (rows->len, ==, 150000);

  input.households = hh;
  input.n_households = N_HOUSEHOLDS;
  input.children = kids;
  input.n_children = N_CHILDREN;
  input.assessments = (const ClmrsAssessmentRow *) rows->data;
  input.n_assessments = rows->len;
  input.supports = (const ClmrsSupportRow *) sups->data;
  input.n_supports = sups->len;
  g_assert_true (clmrs_date_parse ("2025-06-01", &today));

  start = g_get_monotonic_time ();
  r = clmrs_indicators_compute (&input, &today, &error);
  elapsed = g_get_monotonic_time () - start;
  g_assert_no_error (error);
  g_test_message ("60,000 children, 150,000 assessments, %u supports: %.1f ms",
                  sups->len, elapsed / 1000.0);

  check_int (r, "households_covered", N_HOUSEHOLDS);
  check_ratio (r, "children_identified", expected_identified, N_CHILDREN, 50.0);
  check_int (r, "cases.cohort", expected_identified);
  check_ratio (r, "cases.exited_of_identified", expected_exited, expected_identified, 50.0);
  check_ratio (r, "cases.support_coverage", expected_identified, expected_identified, 100.0);
  g_assert_cmpuint (count_members (r, "breakdowns.by_community"), ==, 8);
  /* Generous, and not checked under the sanitizers: a regression to a
   * quadratic pass takes minutes, not seconds. */
  if (g_getenv ("CLMRS_SANITIZED") == NULL)
    g_assert_cmpint (elapsed, <, 3 * G_USEC_PER_SEC);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/indicators/all-time", test_all_time);
  g_test_add_func ("/indicators/breakdowns", test_breakdowns);
  g_test_add_func ("/indicators/period", test_period);
  g_test_add_func ("/indicators/period-bounds-inclusive", test_period_bounds_inclusive);
  g_test_add_func ("/indicators/empty", test_empty);
  g_test_add_func ("/indicators/case-config", test_case_config_passed_to_cases);
  g_test_add_func ("/indicators/interviewed-closed-hazardous", test_interviewed_closed_hazardous);
  for (gsize i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/indicators/error/%s", bad_cases[i].name);

      g_test_add_data_func (path, &bad_cases[i], test_bad_input);
    }
  g_test_add_func ("/indicators/scale", test_scale);

  return g_test_run ();
}
