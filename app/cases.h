/* cases.h: a child's case (follow-up, exit, relapse) as a pure function of their visits and supports. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * The case state machine
 * ======================
 *
 * A case is not stored: clmrs_case_evaluate() recomputes it from the child's
 * assessed visits and supports on a given day, so the device and the server,
 * running this same code on the same records, always agree.
 *
 * Terms.  A visit's *finding* is its classification status (the status codes of docs/rules-format.md).
 *  - identifying: child_labour, hazardous_child_labour, worst_form ("in CL")
 *  - clean:       not_in_child_labour, at_risk
 *  - neutral:     out_of_scope, or no status (not assessed: the child was
 *                 moved / lost, or the row has no classification)
 * Visits are ordered by date, then by their order in the input (the loader
 * passes same-day visits in the order they were finalised).  Records dated
 * after "today" are ignored, so evaluating on a past day gives the case as
 * it stood on that day.
 *
 * Episodes.  The first identifying visit opens an *episode* (the case).  While
 * it is open:
 *  - an identifying visit of any kind is a dirty finding: the run of clean
 *    follow-ups goes back to 0;
 *  - a clean *follow-up* adds one to the run; when the run reaches 2 the
 *    episode closes as exited (two CONSECUTIVE clean follow-ups after the
 *    latest finding in CL: docs/cases-and-indicators.md);
 *  - a clean household/farm visit neither adds to the run nor breaks it
 *    (only follow-ups count toward exit, but a clean finding is no reason to
 *    restart it);
 *  - a visit that found the child moved or lost is no finding: it neither
 *    adds nor breaks the run, but while it is the latest visit the case is
 *    moved_lost; a later visit that finds the child resumes the case;
 *  - a worst_form finding or immediate danger marks the episode *referred*
 *    until it closes.
 * After an exit, clean visits keep the case exited (annual monitoring); an
 * identifying visit opens a new episode flagged *relapsed*.
 *
 * Scheduling.  next_due_date = the latest visit of the open episode (of any
 * kind, including an attempt that found the child moved or lost) + the
 * follow-up interval (default 6 months, day clamped to the month's end).
 * Due when today >= next_due_date; overdue when today > next_due_date +
 * grace days (default 30).
 *
 * Status, first match wins:
 *  1. none              never identified (whatever the age or visits).
 *  2. exited            the latest episode closed by exit, and no finding in
 *                       CL since.  Checked before aged_out: "aged out" means
 *                       the case ended at 18 WITHOUT exiting.
 *  3. aged_out          open, and 18 or older today (from the date of birth,
 *                       else from the latest age at a visit + whole years
 *                       since, a lower bound).  Monitoring stops at 18 (ILO
 *                       scope 5-17), so it overrides every open status.
 *  4. moved_lost        open, and the latest visit found the child moved or
 *                       lost: nothing else can be acted on until found.
 *  5. referred          open, with a worst_form or immediate-danger finding
 *                       in the episode: the case belongs to the authorities
 *                       and child protection first; it stays referred (and
 *                       is still scheduled: see follow_up_due/overdue) until
 *                       it exits.
 *  6. follow_up_overdue open, today > next_due_date + grace.
 *  7. follow_up_due     open, today >= next_due_date.  Due/overdue come before
 *                       identified/supported because a visit is the action
 *                       the facilitator must take; has-support stays visible
 *                       in first_support_date.
 *  8. relapsed          open, re-identified after an exit, no support since
 *                       the re-identification (the "identified" of a
 *                       reopened case; the relapsed flag stays set for the
 *                       whole episode).
 *  9. supported         open, at least one support dated on or after the
 *                       episode's identification, next follow-up not yet due.
 * 10. identified        open, no support yet, next follow-up not yet due.
 *
 * Supports count for a case from the identification date on (same day
 * included); earlier ones were prevention, not remediation.  The loader
 * passes the child's own supports and those of the child's household.
 */

#define CLMRS_CASE_ERROR (clmrs_case_error_quark ())

typedef enum {
  CLMRS_CASE_ERROR_INVALID_DATE,   /* a date that is not YYYY-MM-DD */
  CLMRS_CASE_ERROR_INVALID_VALUE,  /* an unknown code (kind, status, child status) or a missing field */
} ClmrsCaseError;

typedef enum {
  CLMRS_CASE_NONE,
  CLMRS_CASE_IDENTIFIED,
  CLMRS_CASE_SUPPORTED,
  CLMRS_CASE_FOLLOW_UP_DUE,
  CLMRS_CASE_FOLLOW_UP_OVERDUE,
  CLMRS_CASE_EXITED,
  CLMRS_CASE_RELAPSED,
  CLMRS_CASE_AGED_OUT,
  CLMRS_CASE_MOVED_LOST,
  CLMRS_CASE_REFERRED,
} ClmrsCaseStatus;

#define CLMRS_CASE_N_STATUSES (CLMRS_CASE_REFERRED + 1)

/* Defaults: CLMRS_CASE_DEFAULT_FOLLOW_UP_MONTHS, CLMRS_CASE_DEFAULT_GRACE_DAYS. */
#define CLMRS_CASE_DEFAULT_FOLLOW_UP_MONTHS 6
#define CLMRS_CASE_DEFAULT_GRACE_DAYS       30
/* Consecutive clean follow-ups that close a case as exited. */
#define CLMRS_CASE_CLEAN_FOLLOW_UPS_TO_EXIT 2

typedef struct {
  guint follow_up_months;          /* interval between visits, >= 1 */
  guint overdue_grace_days;        /* days after the due date before "overdue" */
} ClmrsCaseConfig;

/* One assessed visit of the child.  Strings are borrowed (they must outlive
 * the call) and may come straight from database rows. */
typedef struct {
  const char *date;                /* YYYY-MM-DD (a longer RFC 3339 time is cut to its date) */
  const char *kind;                /* "household", "farm" or "follow_up" */
  const char *status;              /* classification code; NULL or "" = not assessed */
  const char *child_status;        /* follow-ups: "present", "moved", "lost"; NULL or "" = present */
  gboolean    immediate_danger;    /* the classification's immediate_danger flag */
  int         age;                 /* completed years at the visit; <= 0 = unknown */
  const char *in_school;           /* "yes" / "no"; NULL = not known (indicators only) */
} ClmrsCaseVisit;

/* One support record of the child or the child's household. */
typedef struct {
  const char *date;                /* YYYY-MM-DD */
  const char *type;                /* support type code (docs/rules-format.md), not empty */
} ClmrsCaseSupport;

typedef struct {
  const char             *birth_date;  /* YYYY-MM-DD, or NULL / "" when unknown */
  const ClmrsCaseVisit   *visits;      /* any order */
  guint                   n_visits;
  const ClmrsCaseSupport *supports;    /* any order */
  guint                   n_supports;
} ClmrsCaseInput;

/* Dates are "YYYY-MM-DD", or "" when there is none. */
typedef struct {
  ClmrsCaseStatus status;
  gboolean        ever_identified;
  gboolean        ever_exited;
  gboolean        ever_relapsed;        /* re-identified after an exit at least once */
  gboolean        open;                 /* an episode is open (not none, not exited) */
  gboolean        relapsed;             /* the open episode is a re-identification after an exit */
  gboolean        referred;             /* the open episode had worst_form or immediate danger */
  gboolean        follow_up_due;        /* open and today >= next_due_date */
  gboolean        follow_up_overdue;    /* open and today > next_due_date + grace */
  int             age;                  /* completed years today, -1 when unknown */

  /* The latest episode (the open one, or the last one that exited). */
  char            identification_date[11];  /* the visit that opened it */
  char            first_support_date[11];   /* first support on/after identification_date */
  char            last_visit_date[11];      /* latest visit of the episode, any kind */
  char            next_due_date[11];        /* last_visit_date + interval; "" unless open */
  char            exit_date[11];            /* the visit that closed it; "" unless exited */
  guint           n_follow_ups;             /* assessed follow-ups after the identifying visit */
  guint           n_clean_follow_ups;       /* the current run of consecutive clean follow-ups */
  guint           n_support_types;          /* distinct types dated on/after identification_date */

  /* The child's whole history since the first identification (for indicators). */
  struct {
    char     identification_date[11];
    int      identification_visit;      /* index into input->visits, -1 */
    char     first_support_date[11];    /* first support on/after the first identification */
    guint    n_support_types;
    guint    n_follow_ups;              /* assessed follow-ups after the first identification */
    gboolean first_follow_up_clean;     /* the first of them found the child not in CL */
    int      last_follow_up_visit;      /* index into input->visits of the latest of them, -1 */
  } since_first;
} ClmrsCase;

GQuark           clmrs_case_error_quark           (void);

void             clmrs_case_config_init           (ClmrsCaseConfig       *config);

gboolean         clmrs_case_evaluate              (const ClmrsCaseInput  *input,
                                                   const ClmrsCaseConfig *config,
                                                   const GDate           *today,
                                                   ClmrsCase             *out,
                                                   GError               **error);

JsonNode        *clmrs_case_to_json               (const ClmrsCase       *kase);

const char      *clmrs_case_status_to_string      (ClmrsCaseStatus        status);
const char      *clmrs_case_status_to_label       (ClmrsCaseStatus        status);
gboolean         clmrs_case_status_from_string    (const char            *text,
                                                   ClmrsCaseStatus       *out);

G_END_DECLS
