/* test-cases.c: every case status and transition, at its boundaries, from visits and supports. */
#include "cases.h"
#include "util.h"

#include <string.h>

#define MAX_VISITS 8
#define MAX_SUPPORTS 6
#define UNCHECKED (-1)

typedef struct {
  const char          *date;
  const char          *kind;
  const char          *status;
  const char          *child_status;
  gboolean             danger;
  int                  age;
  const char          *in_school;
  ClmrsHazardSinceLast hazard;
} V;

typedef struct {
  const char *date;
  const char *type;
} S;

typedef struct {
  const char     *name;
  const char     *birth;
  const char     *today;
  guint           months;      /* 0 = default config */
  guint           grace;
  V               visits[MAX_VISITS];
  S               supports[MAX_SUPPORTS];
  ClmrsCaseStatus status;
  const char     *next_due;    /* NULL = not checked, "" = none */
  int             n_follow_ups;
  int             n_clean;
  int             relapsed;    /* UNCHECKED, or the flag */
  int             referred;
  int             overdue;
  const char     *identification_date;
  const char     *closure_date;   /* one closure, or NULL */
  const char     *closure_reason;
} Row;

#define HH(d, s)        { d, "household", s, NULL, FALSE, 0 }
#define HH_DANGER(d, s) { d, "household", s, NULL, TRUE, 0 }
#define HH_AGE(d, s, a) { d, "household", s, NULL, FALSE, a }
/* A follow-up of the current form: the since-last-visit recall was asked
 * and held no hazardous task; the child goes to school. */
#define FU(d, s)        { d, "follow_up", s, "present", FALSE, 0, "yes", CLMRS_HAZARD_SINCE_LAST_NONE }
/* ... out of school (no alternative unless training or permitted work) */
#define FU_NO_SCHOOL(d, s) { d, "follow_up", s, "present", FALSE, 0, "no", CLMRS_HAZARD_SINCE_LAST_NONE }
/* ... a hazardous task since the last visit */
#define FU_HAZARD(d, s) { d, "follow_up", s, "present", FALSE, 0, "yes", CLMRS_HAZARD_SINCE_LAST_FOUND }
/* ... a record made before the since-last-visit question */
#define FU_OLD(d, s)    { d, "follow_up", s, "present", FALSE, 0, "yes", CLMRS_HAZARD_SINCE_LAST_UNKNOWN }
#define FU_GONE(d, cs)  { d, "follow_up", NULL, cs, FALSE, 0, NULL, 0 }

/* Most rows: a child born 2012-03-10, found in hazardous child labour at a
 * household visit on 2024-01-15.  First follow-up due 2024-07-15 (+6
 * months); overdue from 2024-08-15 (due + 30 days of grace). */
#define BORN "2012-03-10"
#define ID   HH ("2024-01-15", "hazardous_child_labour")
#define KIT  { "2024-01-20", "school_kit" }

static const Row rows[] = {
  /* none */
  { "none/no-visits", BORN, "2024-06-01", 0, 0, { { 0 } }, { { 0 } },
    CLMRS_CASE_NONE, "", 0, 0, FALSE, FALSE, FALSE, "" },
  { "none/clean-and-at-risk-visits", BORN, "2024-06-01", 0, 0,
    { HH ("2023-01-10", "not_in_child_labour"), HH ("2024-01-15", "at_risk") },
    { { "2024-01-20", "school_kit" } },
    CLMRS_CASE_NONE, "", 0, 0, FALSE, FALSE, FALSE, "" },
  { "none/out-of-scope", BORN, "2024-06-01", 0, 0, { HH ("2024-01-15", "out_of_scope") }, { { 0 } },
    CLMRS_CASE_NONE, "", 0, 0, FALSE, FALSE, FALSE, "" },
  { "none/18-never-identified", "2005-01-01", "2024-06-01", 0, 0,
    { HH ("2022-01-15", "not_in_child_labour") }, { { 0 } },
    CLMRS_CASE_NONE, "", 0, 0, FALSE, FALSE, FALSE, "" },

  /* identified -> supported */
  { "identified/no-support", BORN, "2024-02-01", 0, 0, { ID }, { { 0 } },
    CLMRS_CASE_IDENTIFIED, "2024-07-15", 0, 0, FALSE, FALSE, FALSE, "2024-01-15" },
  { "identified/child-labour-counts", BORN, "2024-02-01", 0, 0,
    { HH ("2024-01-15", "child_labour") }, { { 0 } },
    CLMRS_CASE_IDENTIFIED, "2024-07-15", 0, 0, FALSE, FALSE, FALSE, "2024-01-15" },
  { "identified/support-before-identification-is-prevention", BORN, "2024-02-01", 0, 0,
    { ID }, { { "2024-01-14", "school_kit" } },
    CLMRS_CASE_IDENTIFIED, "2024-07-15", 0, 0, FALSE, FALSE, FALSE, "2024-01-15" },
  { "identified/future-support-ignored", BORN, "2024-02-01", 0, 0,
    { ID }, { { "2024-03-01", "school_kit" } },
    CLMRS_CASE_IDENTIFIED, "2024-07-15", 0, 0, FALSE, FALSE, FALSE, "2024-01-15" },
  { "supported/after-support", BORN, "2024-02-01", 0, 0, { ID }, { KIT },
    CLMRS_CASE_SUPPORTED, "2024-07-15", 0, 0, FALSE, FALSE, FALSE, "2024-01-15" },
  { "supported/support-same-day", BORN, "2024-02-01", 0, 0, { ID }, { { "2024-01-15", "bicycle" } },
    CLMRS_CASE_SUPPORTED, "2024-07-15", 0, 0, FALSE, FALSE, FALSE, "2024-01-15" },

  /* due and overdue: the edges */
  { "supported/day-before-due", BORN, "2024-07-14", 0, 0, { ID }, { KIT },
    CLMRS_CASE_SUPPORTED, "2024-07-15", 0, 0, FALSE, FALSE, FALSE, NULL },
  { "due/exactly-today", BORN, "2024-07-15", 0, 0, { ID }, { KIT },
    CLMRS_CASE_FOLLOW_UP_DUE, "2024-07-15", 0, 0, FALSE, FALSE, FALSE, NULL },
  { "due/unsupported-is-due-too", BORN, "2024-07-15", 0, 0, { ID }, { { 0 } },
    CLMRS_CASE_FOLLOW_UP_DUE, "2024-07-15", 0, 0, FALSE, FALSE, FALSE, NULL },
  { "due/last-day-of-grace", BORN, "2024-08-14", 0, 0, { ID }, { KIT },
    CLMRS_CASE_FOLLOW_UP_DUE, "2024-07-15", 0, 0, FALSE, FALSE, FALSE, NULL },
  { "overdue/first-day-after-grace", BORN, "2024-08-15", 0, 0, { ID }, { KIT },
    CLMRS_CASE_FOLLOW_UP_OVERDUE, "2024-07-15", 0, 0, FALSE, FALSE, TRUE, NULL },
  { "config/3-months-0-grace-due", BORN, "2024-04-15", 3, 0, { ID }, { KIT },
    CLMRS_CASE_FOLLOW_UP_DUE, "2024-04-15", 0, 0, FALSE, FALSE, FALSE, NULL },
  { "config/3-months-0-grace-overdue", BORN, "2024-04-16", 3, 0, { ID }, { KIT },
    CLMRS_CASE_FOLLOW_UP_OVERDUE, "2024-04-15", 0, 0, FALSE, FALSE, TRUE, NULL },
  { "due/month-end-clamped", BORN, "2024-02-29", 0, 0,
    { HH ("2023-08-31", "child_labour") }, { { "2023-09-01", "school_kit" } },
    CLMRS_CASE_FOLLOW_UP_DUE, "2024-02-29", 0, 0, FALSE, FALSE, FALSE, NULL },

  /* follow-ups and exit */
  { "supported/one-clean-follow-up-reschedules", BORN, "2024-08-01", 0, 0,
    { ID, FU ("2024-07-20", "not_in_child_labour") }, { KIT },
    CLMRS_CASE_SUPPORTED, "2025-01-20", 1, 1, FALSE, FALSE, FALSE, NULL },
  { "exited/two-consecutive-clean", BORN, "2025-02-01", 0, 0,
    { ID, FU ("2024-07-20", "not_in_child_labour"), FU ("2025-01-20", "at_risk") }, { KIT },
    CLMRS_CASE_EXITED, "2026-01-20", 2, 2, FALSE, FALSE, FALSE, "2024-01-15" },
  /* issue #11, 1: exit rests on an alternative in place, not on a support
   * record: out of school with no training or permitted work, no exit */
  { "exit/without-an-alternative-stays-open", BORN, "2025-02-01", 0, 0,
    { ID, FU_NO_SCHOOL ("2024-07-20", "at_risk"), FU_NO_SCHOOL ("2025-01-20", "at_risk") }, { { 0 } },
    CLMRS_CASE_IDENTIFIED, "2025-07-20", 2, 2, FALSE, FALSE, FALSE, NULL },
  { "exited/in-school-without-a-support-record", BORN, "2025-02-01", 0, 0,
    { ID, FU ("2024-07-20", "at_risk"), FU ("2025-01-20", "at_risk") }, { { 0 } },
    CLMRS_CASE_EXITED, "2026-01-20", 2, 2, FALSE, FALSE, FALSE, NULL },
  { "exited/training-is-an-alternative", BORN, "2025-02-01", 0, 0,
    { ID, FU_NO_SCHOOL ("2024-07-20", "at_risk"), FU_NO_SCHOOL ("2025-01-20", "not_in_child_labour") },
    { { "2024-03-01", "vocational_training" } },
    CLMRS_CASE_EXITED, "2026-01-20", 2, 2, FALSE, FALSE, FALSE, NULL },
  { "exited/alternative-at-the-third-clean-follow-up", BORN, "2025-08-01", 0, 0,
    { ID, FU_NO_SCHOOL ("2024-07-20", "at_risk"), FU_NO_SCHOOL ("2025-01-20", "at_risk"),
      FU ("2025-07-20", "not_in_child_labour") }, { { 0 } },
    CLMRS_CASE_EXITED, "2026-07-20", 3, 3, FALSE, FALSE, FALSE, NULL },
  /* issue #11, 1: two follow-ups a day apart, or two years apart */
  { "exit/follow-ups-a-day-apart-do-not-exit", BORN, "2024-02-01", 0, 0,
    { ID, FU ("2024-01-15", "not_in_child_labour"), FU ("2024-01-16", "not_in_child_labour") }, { KIT },
    CLMRS_CASE_SUPPORTED, "2024-07-16", 2, 0, FALSE, FALSE, FALSE, "2024-01-15" },
  { "exit/follow-up-too-soon-does-not-count", BORN, "2025-02-01", 0, 0,
    { ID, FU ("2024-07-20", "not_in_child_labour"), FU ("2024-10-20", "not_in_child_labour") }, { KIT },
    CLMRS_CASE_SUPPORTED, "2025-04-20", 2, 1, FALSE, FALSE, FALSE, NULL },
  { "exit/follow-ups-two-years-apart-missed-the-window", BORN, "2026-08-01", 0, 0,
    { ID, FU ("2024-07-20", "not_in_child_labour"), FU ("2026-07-20", "not_in_child_labour") }, { KIT },
    CLMRS_CASE_SUPPORTED, "2027-01-20", 2, 1, FALSE, FALSE, FALSE, NULL },
  { "missed/window-ends-after-max-interval", BORN, "2024-09-16", 0, 0,
    { ID }, { KIT },
    CLMRS_CASE_FOLLOW_UP_MISSED, "2024-07-15", 0, 0, FALSE, FALSE, TRUE, NULL },
  { "overdue/last-day-of-the-window", BORN, "2024-09-15", 0, 0,
    { ID }, { KIT },
    CLMRS_CASE_FOLLOW_UP_OVERDUE, "2024-07-15", 0, 0, FALSE, FALSE, TRUE, NULL },
  /* issue #11, 2: out of child labour rests on the since-last-visit recall */
  { "exit/hazard-since-last-visit-resets-run", BORN, "2025-08-01", 0, 0,
    { ID, FU ("2024-07-20", "not_in_child_labour"), FU_HAZARD ("2025-01-20", "at_risk"),
      FU ("2025-07-20", "not_in_child_labour") }, { KIT },
    CLMRS_CASE_SUPPORTED, "2026-01-20", 3, 1, FALSE, FALSE, FALSE, NULL },
  { "exit/at-risk-without-the-recall-is-not-clean", BORN, "2025-02-01", 0, 0,
    { ID, FU_OLD ("2024-07-20", "not_in_child_labour"), FU_OLD ("2025-01-20", "at_risk") }, { KIT },
    CLMRS_CASE_SUPPORTED, "2025-07-20", 2, 0, FALSE, FALSE, FALSE, NULL },
  { "exited/not-in-child-labour-without-the-recall", BORN, "2025-02-01", 0, 0,
    { ID, FU_OLD ("2024-07-20", "not_in_child_labour"), FU_OLD ("2025-01-20", "not_in_child_labour") }, { KIT },
    CLMRS_CASE_EXITED, "2026-01-20", 2, 2, FALSE, FALSE, FALSE, NULL },
  { "exit/dirty-follow-up-resets-run", BORN, "2025-08-01", 0, 0,
    { ID, FU ("2024-07-20", "not_in_child_labour"), FU ("2025-01-20", "child_labour"),
      FU ("2025-07-20", "not_in_child_labour") }, { KIT },
    CLMRS_CASE_SUPPORTED, "2026-01-20", 3, 1, FALSE, FALSE, FALSE, "2024-01-15" },
  { "exited/two-clean-after-the-reset", BORN, "2026-02-01", 0, 0,
    { ID, FU ("2024-07-20", "not_in_child_labour"), FU ("2025-01-20", "child_labour"),
      FU ("2025-07-20", "not_in_child_labour"), FU ("2026-01-20", "not_in_child_labour") }, { KIT },
    CLMRS_CASE_EXITED, "2027-01-20", 4, 2, FALSE, FALSE, FALSE, "2024-01-15" },
  { "exit/input-order-does-not-matter", BORN, "2025-02-01", 0, 0,
    { FU ("2025-01-20", "at_risk"), ID, FU ("2024-07-20", "not_in_child_labour") }, { KIT },
    CLMRS_CASE_EXITED, "2026-01-20", 2, 2, FALSE, FALSE, FALSE, "2024-01-15" },
  { "exit/household-clean-visit-does-not-count", BORN, "2024-11-01", 0, 0,
    { ID, FU ("2024-07-20", "not_in_child_labour"), HH ("2024-10-01", "not_in_child_labour") }, { KIT },
    CLMRS_CASE_SUPPORTED, "2025-04-01", 1, 1, FALSE, FALSE, FALSE, NULL },
  { "exited/household-clean-visit-does-not-break-run", BORN, "2025-05-01", 0, 0,
    { ID, FU ("2024-07-20", "not_in_child_labour"), HH ("2024-10-01", "not_in_child_labour"),
      FU ("2025-03-01", "not_in_child_labour") }, { KIT },
    CLMRS_CASE_EXITED, "2026-03-01", 2, 2, FALSE, FALSE, FALSE, NULL },
  { "exit/household-dirty-visit-resets-run", BORN, "2025-05-01", 0, 0,
    { ID, FU ("2024-07-20", "not_in_child_labour"), HH ("2024-10-01", "child_labour"),
      FU ("2025-04-01", "not_in_child_labour") }, { KIT },
    CLMRS_CASE_SUPPORTED, "2025-10-01", 2, 1, FALSE, FALSE, FALSE, "2024-01-15" },
  { "exit/future-follow-up-ignored", BORN, "2025-01-20", 0, 0,
    { ID, FU ("2024-07-20", "not_in_child_labour"), FU ("2025-01-21", "at_risk") }, { KIT },
    CLMRS_CASE_FOLLOW_UP_DUE, "2025-01-20", 1, 1, FALSE, FALSE, FALSE, NULL },
  { "exit/out-of-scope-follow-up-is-no-finding", BORN, "2024-08-01", 0, 0,
    { ID, FU ("2024-07-20", "out_of_scope") }, { KIT },
    CLMRS_CASE_SUPPORTED, "2025-01-20", 0, 0, FALSE, FALSE, FALSE, NULL },
  { "exit/unassessed-follow-up-is-no-finding", BORN, "2024-08-01", 0, 0,
    { ID, FU ("2024-07-20", NULL) }, { KIT },
    CLMRS_CASE_SUPPORTED, "2025-01-20", 0, 0, FALSE, FALSE, FALSE, NULL },
  { "identified/at-a-farm-visit", BORN, "2024-02-01", 0, 0,
    { { "2024-01-15", "farm", "hazardous_child_labour", NULL, FALSE, 0 } }, { { 0 } },
    CLMRS_CASE_IDENTIFIED, "2024-07-15", 0, 0, FALSE, FALSE, FALSE, "2024-01-15" },
  { "exited/stays-exited-after-clean-annual-visit", BORN, "2026-02-01", 0, 0,
    { ID, FU ("2024-07-20", "not_in_child_labour"), FU ("2025-01-20", "at_risk"),
      FU ("2026-01-20", "not_in_child_labour") }, { KIT },
    CLMRS_CASE_EXITED, "2027-01-20", 2, 2, FALSE, FALSE, FALSE, "2024-01-15" },
  /* issue #11, 10: monitored every year after the exit until 18 */
  { "exited/annual-monitoring-due", BORN, "2026-01-20", 0, 0,
    { ID, FU ("2024-07-20", "not_in_child_labour"), FU ("2025-01-20", "at_risk") }, { KIT },
    CLMRS_CASE_EXITED, "2026-01-20", 2, 2, FALSE, FALSE, FALSE, NULL },
  { "exited/no-monitoring-at-18", "2007-03-10", "2026-01-20", 0, 0,
    { ID, FU ("2024-07-20", "not_in_child_labour"), FU ("2025-01-20", "at_risk") }, { KIT },
    CLMRS_CASE_EXITED, "", 2, 2, FALSE, FALSE, FALSE, NULL },

  /* relapse */
  { "relapsed/re-identified-after-exit", BORN, "2025-06-10", 0, 0,
    { ID, FU ("2024-07-20", "not_in_child_labour"), FU ("2025-01-20", "at_risk"),
      HH ("2025-06-01", "child_labour") }, { KIT },
    CLMRS_CASE_RELAPSED, "2025-12-01", 0, 0, TRUE, FALSE, FALSE, "2025-06-01" },
  { "relapsed/at-a-follow-up", BORN, "2025-08-01", 0, 0,
    { ID, FU ("2024-07-20", "not_in_child_labour"), FU ("2025-01-20", "at_risk"),
      FU ("2025-07-20", "hazardous_child_labour") }, { KIT },
    CLMRS_CASE_RELAPSED, "2026-01-20", 0, 0, TRUE, FALSE, FALSE, "2025-07-20" },
  { "relapsed/supported-again-keeps-flag", BORN, "2025-06-10", 0, 0,
    { ID, FU ("2024-07-20", "not_in_child_labour"), FU ("2025-01-20", "at_risk"),
      HH ("2025-06-01", "child_labour") }, { KIT, { "2025-06-05", "iga" } },
    CLMRS_CASE_SUPPORTED, "2025-12-01", 0, 0, TRUE, FALSE, FALSE, "2025-06-01" },
  { "relapsed/due-keeps-flag", BORN, "2025-12-01", 0, 0,
    { ID, FU ("2024-07-20", "not_in_child_labour"), FU ("2025-01-20", "at_risk"),
      HH ("2025-06-01", "child_labour") }, { KIT },
    CLMRS_CASE_FOLLOW_UP_DUE, "2025-12-01", 0, 0, TRUE, FALSE, FALSE, "2025-06-01" },
  { "exited/again-after-relapse", BORN, "2026-08-01", 0, 0,
    { ID, FU ("2024-07-20", "not_in_child_labour"), FU ("2025-01-20", "at_risk"),
      HH ("2025-06-01", "child_labour"), FU ("2025-12-01", "at_risk"),
      FU ("2026-06-01", "not_in_child_labour") }, { KIT },
    CLMRS_CASE_EXITED, "2027-06-01", 2, 2, FALSE, FALSE, FALSE, "2025-06-01" },

  /* moved / lost */
  { "moved_lost/moved-at-follow-up", BORN, "2024-08-01", 0, 0,
    { ID, FU_GONE ("2024-07-20", "moved") }, { KIT },
    CLMRS_CASE_MOVED_LOST, "2025-01-20", 0, 0, FALSE, FALSE, FALSE, NULL },
  { "moved_lost/lost-beats-overdue", BORN, "2025-06-01", 0, 0,
    { ID, FU_GONE ("2024-07-20", "lost") }, { KIT },
    CLMRS_CASE_MOVED_LOST, "2025-01-20", 0, 0, FALSE, FALSE, TRUE, NULL },
  { "moved_lost/found-again-resumes", BORN, "2025-02-01", 0, 0,
    { ID, FU_GONE ("2024-07-20", "moved"), FU ("2025-01-20", "not_in_child_labour") }, { KIT },
    CLMRS_CASE_SUPPORTED, "2025-07-20", 1, 1, FALSE, FALSE, FALSE, NULL },
  { "exited/lost-between-clean-follow-ups-does-not-break-run", BORN, "2025-03-10", 0, 0,
    { ID, FU ("2024-07-20", "not_in_child_labour"), FU_GONE ("2025-01-20", "lost"),
      FU ("2025-03-01", "not_in_child_labour") }, { KIT },
    CLMRS_CASE_EXITED, "2026-03-01", 2, 2, FALSE, FALSE, FALSE, NULL },
  /* a year without finding the child: the window was missed, the run restarts */
  { "missed/lost-for-a-year-restarts-run", BORN, "2025-08-01", 0, 0,
    { ID, FU ("2024-07-20", "not_in_child_labour"), FU_GONE ("2025-01-20", "lost"),
      FU ("2025-07-20", "not_in_child_labour") }, { KIT },
    CLMRS_CASE_SUPPORTED, "2026-01-20", 2, 1, FALSE, FALSE, FALSE, NULL },
  { "exited/moved-after-exit-stays-exited", BORN, "2025-08-01", 0, 0,
    { ID, FU ("2024-07-20", "not_in_child_labour"), FU ("2025-01-20", "at_risk"),
      FU_GONE ("2025-07-20", "moved") }, { KIT },
    CLMRS_CASE_EXITED, "2026-07-20", 2, 2, FALSE, FALSE, FALSE, NULL },
  /* issue #11, 3: a closure ends the case and its follow-ups */
  { "closed/moved-out-of-the-area", BORN, "2025-06-01", 0, 0,
    { ID, FU_GONE ("2024-07-20", "moved") }, { KIT },
    CLMRS_CASE_CLOSED, "", 0, 0, FALSE, FALSE, FALSE, NULL, "2024-08-01", "moved_out" },
  { "closed/deceased-after-exit", BORN, "2025-06-01", 0, 0,
    { ID, FU ("2024-07-20", "not_in_child_labour"), FU ("2025-01-20", "at_risk") }, { KIT },
    CLMRS_CASE_CLOSED, "", 2, 2, FALSE, FALSE, FALSE, NULL, "2025-03-01", "deceased" },
  { "closed/same-day-visit-comes-first", BORN, "2024-08-01", 0, 0,
    { ID, FU ("2024-07-20", "not_in_child_labour") }, { KIT },
    CLMRS_CASE_CLOSED, "", 1, 1, FALSE, FALSE, FALSE, NULL, "2024-07-20", "consent_withdrawn" },
  { "closed/future-closure-ignored", BORN, "2024-02-01", 0, 0,
    { ID }, { KIT },
    CLMRS_CASE_SUPPORTED, "2024-07-15", 0, 0, FALSE, FALSE, FALSE, NULL, "2024-03-01", "duplicate" },
  { "closed/never-identified", BORN, "2024-06-01", 0, 0,
    { HH ("2024-01-15", "not_in_child_labour") }, { { 0 } },
    CLMRS_CASE_CLOSED, "", 0, 0, FALSE, FALSE, FALSE, "", "2024-02-01", "duplicate" },
  { "identified/found-in-child-labour-after-a-closure", BORN, "2025-06-01", 0, 0,
    { ID, HH ("2025-05-01", "child_labour") }, { KIT },
    CLMRS_CASE_IDENTIFIED, "2025-11-01", 0, 0, FALSE, FALSE, FALSE, "2025-05-01", "2024-08-01", "moved_out" },

  /* referred */
  { "referred/worst-form", BORN, "2024-02-01", 0, 0,
    { HH ("2024-01-15", "worst_form") }, { { "2024-01-15", "referral" } },
    CLMRS_CASE_REFERRED, "2024-07-15", 0, 0, FALSE, TRUE, FALSE, NULL },
  { "referred/immediate-danger", BORN, "2024-02-01", 0, 0,
    { HH_DANGER ("2024-01-15", "hazardous_child_labour") }, { { 0 } },
    CLMRS_CASE_REFERRED, "2024-07-15", 0, 0, FALSE, TRUE, FALSE, NULL },
  { "referred/stays-after-one-clean-follow-up", BORN, "2024-08-01", 0, 0,
    { HH ("2024-01-15", "worst_form"), FU ("2024-07-20", "not_in_child_labour") }, { { 0 } },
    CLMRS_CASE_REFERRED, "2025-01-20", 1, 1, FALSE, TRUE, FALSE, NULL },
  { "referred/still-scheduled-when-overdue", BORN, "2024-09-01", 0, 0,
    { HH ("2024-01-15", "worst_form") }, { { 0 } },
    CLMRS_CASE_REFERRED, "2024-07-15", 0, 0, FALSE, TRUE, TRUE, NULL },
  { "referred/worst-form-at-a-follow-up", BORN, "2024-08-01", 0, 0,
    { ID, FU ("2024-07-20", "worst_form") }, { KIT },
    CLMRS_CASE_REFERRED, "2025-01-20", 1, 0, FALSE, TRUE, FALSE, "2024-01-15" },
  { "exited/referred-case-exits", BORN, "2025-02-01", 0, 0,
    { HH ("2024-01-15", "worst_form"), FU ("2024-07-20", "not_in_child_labour"),
      FU ("2025-01-20", "not_in_child_labour") }, { { 0 } },
    CLMRS_CASE_EXITED, "2026-01-20", 2, 2, FALSE, FALSE, FALSE, NULL },
  { "moved_lost/beats-referred", BORN, "2024-08-01", 0, 0,
    { HH ("2024-01-15", "worst_form"), FU_GONE ("2024-07-20", "lost") }, { { 0 } },
    CLMRS_CASE_MOVED_LOST, "2025-01-20", 0, 0, FALSE, TRUE, FALSE, NULL },

  /* aged out: born 2006-08-01, 18 on 2024-08-01 */
  { "aged_out/day-before-18th-birthday", "2006-08-01", "2024-07-31", 0, 0,
    { ID }, { KIT },
    CLMRS_CASE_FOLLOW_UP_DUE, "2024-07-15", 0, 0, FALSE, FALSE, FALSE, NULL },
  { "aged_out/18th-birthday", "2006-08-01", "2024-08-01", 0, 0,
    { ID }, { KIT },
    CLMRS_CASE_AGED_OUT, "2024-07-15", 0, 0, FALSE, FALSE, FALSE, NULL },
  { "aged_out/beats-referred-and-moved", "2006-08-01", "2024-09-01", 0, 0,
    { HH ("2024-01-15", "worst_form"), FU_GONE ("2024-07-20", "moved") }, { { 0 } },
    CLMRS_CASE_AGED_OUT, "2025-01-20", 0, 0, FALSE, TRUE, FALSE, NULL },
  { "exited/at-18-stays-exited", "2006-08-01", "2025-02-01", 0, 0,
    { ID, FU ("2024-07-15", "not_in_child_labour"), FU ("2025-01-15", "at_risk") }, { KIT },
    CLMRS_CASE_EXITED, "", 2, 2, FALSE, FALSE, FALSE, NULL },
  { "aged_out/age-from-visit-day-before", NULL, "2025-01-14", 0, 0,
    { HH_AGE ("2024-01-15", "hazardous_child_labour", 17) }, { KIT },
    CLMRS_CASE_FOLLOW_UP_MISSED, "2024-07-15", 0, 0, FALSE, FALSE, TRUE, NULL },
  { "aged_out/age-from-visit-a-year-later", NULL, "2025-01-15", 0, 0,
    { HH_AGE ("2024-01-15", "hazardous_child_labour", 17) }, { KIT },
    CLMRS_CASE_AGED_OUT, "2024-07-15", 0, 0, FALSE, FALSE, TRUE, NULL },
  { "identified/unknown-age-never-ages-out", NULL, "2040-01-01", 0, 0,
    { ID }, { { 0 } },
    CLMRS_CASE_FOLLOW_UP_MISSED, "2024-07-15", 0, 0, FALSE, FALSE, TRUE, NULL },
};

static guint
count_visits (const Row *row)
{
  guint n = 0;

  while (n < MAX_VISITS && row->visits[n].date != NULL)
    n++;
  return n;
}

static guint
count_supports (const Row *row)
{
  guint n = 0;

  while (n < MAX_SUPPORTS && row->supports[n].date != NULL)
    n++;
  return n;
}

static void
evaluate_row (const Row *row,
              ClmrsCase *out)
{
  ClmrsCaseVisit visits[MAX_VISITS];
  ClmrsCaseSupport supports[MAX_SUPPORTS];
  ClmrsCaseClosure closure = { row->closure_date, row->closure_reason };
  ClmrsCaseConfig config;
  ClmrsCaseInput input = { row->birth, visits, count_visits (row), supports, count_supports (row),
                           &closure, row->closure_date != NULL };
  GDate today;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < input.n_visits; i++)
    visits[i] = (ClmrsCaseVisit) { row->visits[i].date, row->visits[i].kind, row->visits[i].status,
                                   row->visits[i].child_status, row->visits[i].danger,
                                   row->visits[i].age, row->visits[i].in_school,
                                   row->visits[i].hazard, CLMRS_ALTERNATIVE_UNKNOWN };
  for (guint i = 0; i < input.n_supports; i++)
    supports[i] = (ClmrsCaseSupport) { row->supports[i].date, row->supports[i].type };
  clmrs_case_config_init (&config);
  if (row->months != 0)
    {
      config.follow_up_months = row->months;
      config.overdue_grace_days = row->grace;
    }
  g_assert_true (clmrs_date_parse (row->today, &today));

  g_assert_true (clmrs_case_evaluate (&input, &config, &today, out, &error));
  g_assert_no_error (error);
}

static void
test_row (gconstpointer data)
{
  const Row *row = data;
  ClmrsCase kase;

  evaluate_row (row, &kase);
  g_assert_cmpstr (clmrs_case_status_to_string (kase.status), ==,
                   clmrs_case_status_to_string (row->status));
  if (row->status != CLMRS_CASE_CLOSED)
    g_assert_cmpint (kase.ever_identified, ==, row->status != CLMRS_CASE_NONE);
  g_assert_cmpint (kase.open, ==, row->status != CLMRS_CASE_NONE && row->status != CLMRS_CASE_EXITED &&
                                  row->status != CLMRS_CASE_CLOSED);
  g_assert_cmpint (kase.closed, ==, row->status == CLMRS_CASE_CLOSED);
  if (row->status == CLMRS_CASE_EXITED)
    g_assert_true (kase.ever_exited);
  if (row->next_due != NULL)
    g_assert_cmpstr (kase.next_due_date, ==, row->next_due);
  if (row->n_follow_ups != UNCHECKED)
    g_assert_cmpint (kase.n_follow_ups, ==, row->n_follow_ups);
  if (row->n_clean != UNCHECKED)
    g_assert_cmpint (kase.n_clean_follow_ups, ==, row->n_clean);
  if (row->relapsed != UNCHECKED)
    g_assert_cmpint (kase.relapsed, ==, row->relapsed);
  if (row->referred != UNCHECKED)
    g_assert_cmpint (kase.referred, ==, row->referred);
  if (row->overdue != UNCHECKED)
    g_assert_cmpint (kase.follow_up_overdue, ==, row->overdue);
  if (row->identification_date != NULL)
    g_assert_cmpstr (kase.identification_date, ==, row->identification_date);
  /* Invariants of every case. */
  g_assert_true (!kase.follow_up_overdue || kase.follow_up_due);
  g_assert_true (!kase.relapsed || kase.ever_exited);
  g_assert_true (!kase.ever_relapsed || kase.ever_exited);
  g_assert_cmpint (kase.n_clean_follow_ups, <=, kase.n_follow_ups);
  g_assert_cmpint (kase.n_follow_ups, <=, kase.since_first.n_follow_ups);
  g_assert_cmpint (kase.n_support_types, <=, kase.since_first.n_support_types);
  if (kase.open)
    g_assert_cmpstr (kase.next_due_date, !=, "");
  if (kase.status == CLMRS_CASE_NONE || kase.status == CLMRS_CASE_CLOSED)
    g_assert_cmpstr (kase.next_due_date, ==, "");
  g_assert_true (!kase.follow_up_missed || kase.open);
  g_assert_true (!kase.monitoring_due || kase.status == CLMRS_CASE_EXITED);
}

/* The outputs other than the status, on one full history: identified
 * 2024-01-15 (HCL), kit 01-20 and again 03-01, bicycle 02-10, clean
 * follow-up 07-20, at_risk 2025-01-20 (exit), relapse 2025-06-01 (CL at a
 * household visit), IGA to the household 2025-06-05, follow-up 2025-12-01
 * finds CL.  Today 2026-01-10. */
static void
test_outputs (void)
{
  static const ClmrsCaseVisit visits[] = {
    { "2025-12-01", "follow_up", "child_labour", "present", FALSE, 0, "yes", CLMRS_HAZARD_SINCE_LAST_NONE, 0 },
    { "2024-01-15", "household", "hazardous_child_labour", NULL, FALSE, 0, NULL, 0, 0 },
    { "2024-07-20", "follow_up", "not_in_child_labour", "present", FALSE, 0, "yes", CLMRS_HAZARD_SINCE_LAST_NONE, 0 },
    { "2025-01-20", "follow_up", "at_risk", "present", FALSE, 0, "yes", CLMRS_HAZARD_SINCE_LAST_NONE, 0 },
    { "2025-06-01", "household", "child_labour", NULL, FALSE, 0, NULL, 0, 0 },
  };
  static const ClmrsCaseSupport supports[] = {
    { "2024-03-01", "school_kit", NULL },
    { "2024-01-20", "school_kit", "delivered" },
    { "2024-02-10", "bicycle", NULL },
    { "2025-06-05", "iga", NULL },
    { "2023-12-01", "birth_certificate", NULL },
    { "2025-07-01", "savings_group", "planned" },     /* shown as planned, not counted */
    { "2025-07-02", "cash_transfer", "declined" },
  };
  ClmrsCaseInput input = { "2012-03-10", visits, G_N_ELEMENTS (visits), supports, G_N_ELEMENTS (supports) };
  ClmrsCase kase;
  GDate today;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) json = NULL;
  JsonObject *object;

  g_date_clear (&today, 1);
  g_date_set_dmy (&today, 10, 1, 2026);
  g_assert_true (clmrs_case_evaluate (&input, NULL, &today, &kase, &error));
  g_assert_no_error (error);

  g_assert_cmpint (kase.status, ==, CLMRS_CASE_SUPPORTED);
  g_assert_true (kase.relapsed);
  g_assert_true (kase.ever_relapsed);
  g_assert_true (kase.ever_exited);
  g_assert_cmpint (kase.age, ==, 13);
  g_assert_cmpstr (kase.identification_date, ==, "2025-06-01");
  g_assert_cmpstr (kase.first_support_date, ==, "2025-06-05");
  g_assert_cmpstr (kase.last_visit_date, ==, "2025-12-01");
  g_assert_cmpstr (kase.next_due_date, ==, "2026-06-01");
  g_assert_cmpstr (kase.exit_date, ==, "");
  g_assert_cmpint (kase.n_supports_planned, ==, 1);    /* the savings group; the declined cash not at all */
  g_assert_cmpint (kase.n_follow_ups, ==, 1);          /* 2025-12-01 */
  g_assert_cmpint (kase.n_clean_follow_ups, ==, 0);
  g_assert_cmpint (kase.n_support_types, ==, 1);       /* iga */
  g_assert_cmpstr (kase.since_first.identification_date, ==, "2024-01-15");
  g_assert_cmpint (kase.since_first.identification_visit, ==, 1);
  g_assert_cmpstr (kase.since_first.first_support_date, ==, "2024-01-20");
  g_assert_cmpint (kase.since_first.n_support_types, ==, 3);  /* kit, bicycle, iga; not the certificate */
  g_assert_cmpint (kase.since_first.n_follow_ups, ==, 3);
  g_assert_true (kase.since_first.first_follow_up_clean);
  g_assert_cmpint (kase.since_first.last_follow_up_visit, ==, 0);

  json = clmrs_case_to_json (&kase);
  object = json_node_get_object (json);
  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "supported");
  g_assert_cmpstr (json_object_get_string_member (object, "next_due_date"), ==, "2026-06-01");
  g_assert_true (json_object_get_null_member (object, "exit_date"));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (object, "since_first"),
                                               "n_support_types"), ==, 3);
}

/* The first follow-up found the child still working: first_follow_up_clean
 * is FALSE, and stays so whatever comes after. */
static void
test_first_follow_up_dirty (void)
{
  static const ClmrsCaseVisit visits[] = {
    { "2024-01-15", "household", "child_labour", NULL, FALSE, 0, NULL },
    { "2024-07-15", "follow_up", "child_labour", NULL, FALSE, 0, NULL },
    { "2025-01-15", "follow_up", "not_in_child_labour", NULL, FALSE, 0, NULL },
  };
  ClmrsCaseInput input = { NULL, visits, G_N_ELEMENTS (visits), NULL, 0 };
  ClmrsCase kase;
  GDate today;

  g_date_clear (&today, 1);
  g_date_set_dmy (&today, 1, 2, 2025);
  g_assert_true (clmrs_case_evaluate (&input, NULL, &today, &kase, NULL));
  g_assert_cmpint (kase.since_first.n_follow_ups, ==, 2);
  g_assert_false (kase.since_first.first_follow_up_clean);
  g_assert_cmpint (kase.age, ==, -1);
}

/* Random histories (distinct dates, so order is total): the case does not
 * depend on the input order; evaluating on a past day equals evaluating
 * the records up to that day; the flags agree with the status. */
static void
test_random_histories (void)
{
  static const char *const statuses[] = {
    "not_in_child_labour", "at_risk", "child_labour", "hazardous_child_labour",
    "worst_form", "out_of_scope", NULL,
  };
  static const char *const types[] = { "school_kit", "bicycle", "iga", "referral" };

  for (guint round = 0; round < 2000; round++)
    {
      char dates[MAX_VISITS + MAX_SUPPORTS][11];
      ClmrsCaseVisit visits[MAX_VISITS], shuffled[MAX_VISITS], past[MAX_VISITS];
      ClmrsCaseSupport supports[MAX_SUPPORTS], past_supports[MAX_SUPPORTS];
      guint n_visits = g_test_rand_int_range (0, MAX_VISITS + 1);
      guint n_supports = g_test_rand_int_range (0, MAX_SUPPORTS + 1);
      guint n_past = 0, n_past_supports = 0;
      ClmrsCaseInput input = { "2010-06-01", visits, n_visits, supports, n_supports };
      ClmrsCaseInput input_shuffled = { "2010-06-01", shuffled, n_visits, supports, n_supports };
      ClmrsCaseInput input_past = { "2010-06-01", past, 0, past_supports, 0 };
      ClmrsCase a, b, c, d;
      GDate today, cut;
      guint32 day = 0;

      /* A visit every 60-240 days from 2022; supports on other days. */
      for (guint i = 0; i < n_visits + n_supports; i++)
        {
          GDate date;

          day += g_test_rand_int_range (60, 241);
          g_date_clear (&date, 1);
          g_date_set_dmy (&date, 1, 1, 2022);
          g_date_add_days (&date, day);
          g_snprintf (dates[i], sizeof dates[i], "%04u-%02u-%02u", g_date_get_year (&date),
                      g_date_get_month (&date), g_date_get_day (&date));
        }
      for (guint i = 0; i < n_visits; i++)
        {
          gboolean follow_up = i > 0 && g_test_rand_bit ();
          int gone = g_test_rand_int_range (0, 10);

          visits[i] = (ClmrsCaseVisit) {
            dates[i], follow_up ? "follow_up" : "household",
            statuses[g_test_rand_int_range (0, G_N_ELEMENTS (statuses))],
            follow_up && gone == 0 ? "moved" : NULL,
            g_test_rand_int_range (0, 20) == 0, 0, NULL,
          };
        }
      for (guint i = 0; i < n_supports; i++)
        supports[i] = (ClmrsCaseSupport) { dates[n_visits + i],
                                           types[g_test_rand_int_range (0, G_N_ELEMENTS (types))] };
      memcpy (shuffled, visits, sizeof visits);
      for (guint i = n_visits; i > 1; i--)
        {
          guint j = g_test_rand_int_range (0, i);
          ClmrsCaseVisit t = shuffled[i - 1];

          shuffled[i - 1] = shuffled[j];
          shuffled[j] = t;
        }

      g_assert_true (clmrs_date_parse ("2027-01-01", &today));
      g_assert_true (clmrs_case_evaluate (&input, NULL, &today, &a, NULL));
      g_assert_true (clmrs_case_evaluate (&input_shuffled, NULL, &today, &b, NULL));
      /* Indices into the input differ; everything else must not. */
      b.since_first.identification_visit = a.since_first.identification_visit;
      b.since_first.last_follow_up_visit = a.since_first.last_follow_up_visit;
      g_assert_cmpmem (&a, sizeof a, &b, sizeof b);

      /* On a day between the records: the same as the records up to it. */
      g_date_clear (&cut, 1);
      g_date_set_dmy (&cut, 1, 1, 2022);
      g_date_add_days (&cut, g_test_rand_int_range (0, (int) day + 2));
      for (guint i = 0; i < n_visits; i++)
        {
          GDate date;

          g_assert_true (clmrs_date_parse (visits[i].date, &date));
          if (g_date_compare (&date, &cut) <= 0)
            past[n_past++] = visits[i];
        }
      for (guint i = 0; i < n_supports; i++)
        {
          GDate date;

          g_assert_true (clmrs_date_parse (supports[i].date, &date));
          if (g_date_compare (&date, &cut) <= 0)
            past_supports[n_past_supports++] = supports[i];
        }
      input_past.n_visits = n_past;
      input_past.n_supports = n_past_supports;
      g_assert_true (clmrs_case_evaluate (&input, NULL, &cut, &c, NULL));
      g_assert_true (clmrs_case_evaluate (&input_past, NULL, &cut, &d, NULL));
      d.since_first.identification_visit = c.since_first.identification_visit;
      d.since_first.last_follow_up_visit = c.since_first.last_follow_up_visit;
      g_assert_cmpmem (&c, sizeof c, &d, sizeof d);

      /* Flags against status. */
      g_assert_cmpint (a.open, ==, a.ever_identified && a.status != CLMRS_CASE_EXITED &&
                                   a.status != CLMRS_CASE_CLOSED);
      g_assert_true (!a.ever_exited || a.since_first.n_follow_ups >= 2);
      g_assert_true (a.status != CLMRS_CASE_EXITED || a.exit_date[0] != '\0');
      g_assert_true (a.status != CLMRS_CASE_RELAPSED || (a.relapsed && a.first_support_date[0] == '\0'));
      g_assert_true (a.status != CLMRS_CASE_REFERRED || a.referred);
      g_assert_true (a.status != CLMRS_CASE_SUPPORTED || a.first_support_date[0] != '\0');
      g_assert_true (!a.follow_up_overdue || a.follow_up_due);
      g_assert_true (a.ever_identified || a.status == CLMRS_CASE_NONE);
    }
}

typedef struct {
  const char *name;
  const char *birth;
  ClmrsCaseVisit visit;
  ClmrsCaseSupport support;
  int code;
  const char *mentions;
} BadRow;

static const BadRow bad_rows[] = {
  { "date", NULL, { "2024-13-01", "household", "child_labour" }, { NULL },
    CLMRS_CASE_ERROR_INVALID_DATE, "visit 0: date “2024-13-01”" },
  { "missing-date", NULL, { NULL, "household", "child_labour" }, { NULL },
    CLMRS_CASE_ERROR_INVALID_DATE, "visit 0: date “(null)”" },
  { "kind", NULL, { "2024-01-01", "school", "child_labour" }, { NULL },
    CLMRS_CASE_ERROR_INVALID_VALUE, "visit 0: kind “school”" },
  { "status", NULL, { "2024-01-01", "household", "hazardous" }, { NULL },
    CLMRS_CASE_ERROR_INVALID_VALUE, "visit 0: status “hazardous”" },
  { "child-status", NULL, { "2024-01-01", "follow_up", NULL, "away" }, { NULL },
    CLMRS_CASE_ERROR_INVALID_VALUE, "visit 0: child_status “away”" },
  { "birth-date", "10/03/2012", { "2024-01-01", "household", "child_labour" }, { NULL },
    CLMRS_CASE_ERROR_INVALID_DATE, "birth_date “10/03/2012”" },
  { "support-date", NULL, { "2024-01-01", "household", "child_labour" }, { "2024-02-30", "iga" },
    CLMRS_CASE_ERROR_INVALID_DATE, "support 0: date “2024-02-30”" },
  { "support-type", NULL, { "2024-01-01", "household", "child_labour" }, { "2024-02-01", "" },
    CLMRS_CASE_ERROR_INVALID_VALUE, "support 0: type is missing" },
  { "support-state", NULL, { "2024-01-01", "household", "child_labour" }, { "2024-02-01", "iga", "given" },
    CLMRS_CASE_ERROR_INVALID_VALUE, "support 0: state “given”" },
};

static void
test_bad_row (gconstpointer data)
{
  const BadRow *row = data;
  ClmrsCaseInput input = { row->birth, &row->visit, 1, &row->support, row->support.date ? 1 : 0 };
  ClmrsCase kase;
  GDate today;
  g_autoptr(GError) error = NULL;

  g_date_clear (&today, 1);
  g_date_set_dmy (&today, 1, 6, 2024);
  g_assert_false (clmrs_case_evaluate (&input, NULL, &today, &kase, &error));
  g_assert_error (error, CLMRS_CASE_ERROR, row->code);
  g_assert_nonnull (strstr (error->message, row->mentions));
  g_assert_cmpint (kase.status, ==, CLMRS_CASE_NONE);
}

static void
test_status_strings (void)
{
  g_autoptr(GHashTable) labels = g_hash_table_new (g_str_hash, g_str_equal);
  static const char *const expected[] = {
    "none", "identified", "supported", "follow_up_due", "follow_up_overdue",
    "exited", "relapsed", "aged_out", "moved_lost", "referred", "follow_up_missed", "closed",
  };
  ClmrsCaseStatus parsed;

  g_assert_cmpint (G_N_ELEMENTS (expected), ==, CLMRS_CASE_N_STATUSES);
  for (guint s = 0; s < CLMRS_CASE_N_STATUSES; s++)
    {
      const char *label = clmrs_case_status_to_label (s);

      g_assert_cmpstr (clmrs_case_status_to_string (s), ==, expected[s]);
      g_assert_true (clmrs_case_status_from_string (expected[s], &parsed));
      g_assert_cmpint (parsed, ==, s);
      g_assert_true (label != NULL && label[0] != '\0');
      g_assert_true (g_hash_table_add (labels, (gpointer) label));
    }
  g_assert_false (clmrs_case_status_from_string ("open", &parsed));
  g_assert_false (clmrs_case_status_from_string (NULL, &parsed));
  g_assert_cmpstr (clmrs_case_status_to_string (99), ==, "none");
}

/* A closure with an unknown reason is refused with its index and value. */
static void
test_bad_closure (void)
{
  static const ClmrsCaseClosure closures[] = { { "2024-02-01", "deceased" }, { "2024-03-01", "married" } };
  ClmrsCaseInput input = { NULL, NULL, 0, NULL, 0, closures, G_N_ELEMENTS (closures) };
  ClmrsCase kase;
  GDate today;
  g_autoptr(GError) error = NULL;

  g_date_clear (&today, 1);
  g_date_set_dmy (&today, 1, 6, 2024);
  g_assert_false (clmrs_case_evaluate (&input, NULL, &today, &kase, &error));
  g_assert_error (error, CLMRS_CASE_ERROR, CLMRS_CASE_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "closure 1: reason “married”"));
}

/* The shipped programme setting is the defaults; a setting file changes
 * the members it names and a bad member is named. */
static void
test_config_json (void)
{
  ClmrsCaseConfig defaults, shipped, config;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  static const struct { const char *json; const char *mentions; } bad[] = {
    { "{\"max_interval_months\": -1}", "max_interval_months must be a whole number" },
    { "{\"min_interval_months\": \"5\"}", "min_interval_months must be a whole number" },
    { "{\"exit_needs_alternative\": 1}", "exit_needs_alternative must be true or false" },
    { "{\"follow_up_months\": 9}", "the window must hold the target interval" },
    { "{\"follow_up_interval\": 6}", "unknown member “follow_up_interval”" },
    { "[6]", "must be a JSON object" },
  };

  clmrs_case_config_init (&defaults);
  g_assert_true (clmrs_case_config_load_programme (&shipped, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (&shipped, sizeof shipped, &defaults, sizeof defaults);

  config = defaults;
  node = json_from_string ("{\"follow_up_months\": 3, \"min_interval_months\": 2, \"max_interval_months\": 6,"
                           " \"post_exit_months\": 0, \"exit_needs_alternative\": false}", NULL);
  g_assert_true (clmrs_case_config_from_json (&config, node, &error));
  g_assert_cmpuint (config.follow_up_months, ==, 3);
  g_assert_cmpuint (config.min_interval_months, ==, 2);
  g_assert_cmpuint (config.max_interval_months, ==, 6);
  g_assert_cmpuint (config.post_exit_months, ==, 0);
  g_assert_false (config.exit_needs_alternative);
  g_assert_cmpuint (config.overdue_grace_days, ==, defaults.overdue_grace_days);

  /* a supervisor's 12-month interval takes the window with it */
  config = defaults;
  clmrs_case_config_set_interval (&config, 12);
  g_assert_cmpuint (config.min_interval_months, ==, 11);
  g_assert_cmpuint (config.max_interval_months, ==, 14);
  clmrs_case_config_set_interval (&config, 1);
  g_assert_cmpuint (config.min_interval_months, ==, 1);
  g_assert_cmpuint (config.max_interval_months, ==, 3);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) b = json_from_string (bad[i].json, NULL);
      ClmrsCaseConfig before = defaults, after = defaults;

      g_clear_error (&error);
      g_assert_false (clmrs_case_config_from_json (&after, b, &error));
      g_assert_nonnull (error);
      if (strstr (error->message, bad[i].mentions) == NULL)
        g_error ("%s: %s", bad[i].json, error->message);
      g_assert_cmpmem (&after, sizeof after, &before, sizeof before);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cases/status/%s", rows[i].name);

      g_test_add_data_func (path, &rows[i], test_row);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cases/error/%s", bad_rows[i].name);

      g_test_add_data_func (path, &bad_rows[i], test_bad_row);
    }
  g_test_add_func ("/cases/outputs", test_outputs);
  g_test_add_func ("/cases/first-follow-up-dirty", test_first_follow_up_dirty);
  g_test_add_func ("/cases/status-strings", test_status_strings);
  g_test_add_func ("/cases/bad-closure", test_bad_closure);
  g_test_add_func ("/cases/config-json", test_config_json);
  g_test_add_func ("/cases/random-histories", test_random_histories);

  return g_test_run ();
}
