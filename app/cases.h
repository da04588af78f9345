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
 * assessed visits, supports and closures on a given day, so the device and
 * the server, running this same code on the same records, always agree.
 * docs/cases-and-indicators.md gives each rule with its source.
 *
 * Terms.  A visit's *finding* is its classification status (the status codes of docs/rules-format.md).
 *  - identifying: child_labour, hazardous_child_labour, worst_form ("in CL")
 *  - not in CL:   not_in_child_labour, at_risk
 *  - neutral:     out_of_scope, or no status (not assessed: the child was
 *                 moved / lost, or the row has no classification)
 * A *clean* follow-up is a follow-up not in CL whose since-last-visit recall
 * holds no hazardous task (hazard_since_last = NONE).  When that recall was
 * not asked (UNKNOWN: records made before the question), only
 * not_in_child_labour is clean: its 12-month recall, which covers the
 * months since the last visit, had no hazardous task either, whereas
 * at_risk may rest on one.
 * Visits are ordered by date, then by their order in the input (the loader
 * passes same-day visits in the order they were finalised).  Records dated
 * after "today" are ignored, so evaluating on a past day gives the case as
 * it stood on that day.
 *
 * Episodes.  The first identifying visit opens an *episode* (the case).  Its
 * *anchor* is the latest visit that counted: the identifying visit, a later
 * finding in CL, or a follow-up that counted toward exit.  While it is open:
 *  - an identifying visit of any kind, or a follow-up that is not clean, is
 *    a dirty finding: the run of clean follow-ups goes back to 0 and the
 *    anchor moves to it;
 *  - a follow-up later than anchor + max_interval_months missed its window:
 *    n_missed_windows counts it and the run restarts at 0 before the
 *    follow-up itself counts;
 *  - a clean follow-up earlier than anchor + min_interval_months is too
 *    early: it neither adds to the run nor breaks it (n_early_follow_ups);
 *  - any other clean follow-up adds one to the run and becomes the anchor;
 *    when the run reaches 2 and the child has an alternative at that
 *    follow-up (school, training or permitted work) the episode closes as
 *    exited.  Without an alternative the run stays at 2 and the next
 *    clean follow-up in its window with one exits;
 *  - a clean household/farm visit neither adds to the run nor breaks it;
 *  - a visit that found the child moved or lost is no finding: it neither
 *    adds nor breaks the run, but while it is the latest visit the case is
 *    moved_lost; a later visit that finds the child resumes the case;
 *  - a worst_form finding or immediate danger marks the episode *referred*
 *    until it closes.
 * After an exit the child is monitored every post_exit_months until 18
 * (monitoring_due); clean visits keep the case exited; an identifying visit
 * opens a new episode flagged *relapsed*.
 * A closure (deceased, moved out of the area, consent withdrawn, aged out,
 * duplicate) ends the case and its monitoring whatever its state; a later
 * identifying visit opens a new episode.
 *
 * Scheduling.  next_due_date = the latest visit of the open episode (of any
 * kind, including an attempt that found the child moved or lost) + the
 * follow-up interval (default 6 months, day clamped to the month's end).
 * Due when today >= next_due_date; overdue when today > next_due_date +
 * grace days (default 30); missed when today > anchor + max_interval_months.
 *
 * Status, first match wins:
 *  1. none              never identified and never closed.
 *  2. closed            a closure after the latest identifying visit.
 *  3. exited            the latest episode closed by exit, and no finding in
 *                       CL since.  Checked before aged_out: "aged out" means
 *                       the case ended at 18 WITHOUT exiting.
 *  4. aged_out          open, and 18 or older today (from the date of birth,
 *                       else from the latest age at a visit + whole years
 *                       since, a lower bound).  Monitoring stops at 18 (ILO
 *                       scope 5-17), so it overrides every open status.
 *  5. moved_lost        open, and the latest visit found the child moved or
 *                       lost: nothing else can be acted on until found.
 *  6. referred          open, with a worst_form or immediate-danger finding
 *                       in the episode: the case belongs to the authorities
 *                       and child protection first; it stays referred (and
 *                       is still scheduled: see follow_up_due/overdue) until
 *                       it exits.
 *  7. follow_up_missed  open, today > anchor + max_interval_months.
 *  8. follow_up_overdue open, today > next_due_date + grace.
 *  9. follow_up_due     open, today >= next_due_date.  Due/overdue come before
 *                       identified/supported because a visit is the action
 *                       the facilitator must take; has-support stays visible
 *                       in first_support_date.
 * 10. relapsed          open, re-identified after an exit, no support since
 *                       the re-identification (the "identified" of a
 *                       reopened case; the relapsed flag stays set for the
 *                       whole episode).
 * 11. supported         open, at least one delivered support dated on or
 *                       after the episode's identification, not yet due.
 * 12. identified        open, no support yet, next follow-up not yet due.
 *
 * Supports count for a case from the identification date on (same day
 * included) when delivered (planned and declined ones are shown, not
 * counted); earlier ones were prevention, not remediation.  The loader
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
  CLMRS_CASE_FOLLOW_UP_MISSED,
  CLMRS_CASE_CLOSED,
} ClmrsCaseStatus;

#define CLMRS_CASE_N_STATUSES (CLMRS_CASE_CLOSED + 1)

/* Why a case was closed without an exit. */
typedef enum {
  CLMRS_CLOSURE_NONE,
  CLMRS_CLOSURE_DECEASED,
  CLMRS_CLOSURE_MOVED_OUT,          /* moved out of the area for good, or transferred */
  CLMRS_CLOSURE_CONSENT_WITHDRAWN,
  CLMRS_CLOSURE_AGED_OUT,
  CLMRS_CLOSURE_DUPLICATE,          /* the same child as another record (merged_into) */
} ClmrsClosureReason;

#define CLMRS_CLOSURE_N_REASONS (CLMRS_CLOSURE_DUPLICATE + 1)

/* What the child does instead of child labour, at a follow-up. */
typedef enum {
  CLMRS_ALTERNATIVE_UNKNOWN,        /* not known: no exit rests on it */
  CLMRS_ALTERNATIVE_NONE,
  CLMRS_ALTERNATIVE_SCHOOL,
  CLMRS_ALTERNATIVE_TRAINING,       /* vocational training or apprenticeship */
  CLMRS_ALTERNATIVE_PERMITTED_WORK, /* work the rules found not to be child labour */
} ClmrsAlternative;

/* The since-last-visit recall of a follow-up. */
typedef enum {
  CLMRS_HAZARD_SINCE_LAST_UNKNOWN,  /* not asked */
  CLMRS_HAZARD_SINCE_LAST_NONE,     /* asked: no hazardous task since the last visit */
  CLMRS_HAZARD_SINCE_LAST_FOUND,    /* asked: a hazardous task since the last visit */
} ClmrsHazardSinceLast;

/* Defaults (assets/programme/case_rules.json holds the same values; a test
 * checks that they agree). */
#define CLMRS_CASE_DEFAULT_FOLLOW_UP_MONTHS   6
#define CLMRS_CASE_DEFAULT_GRACE_DAYS         30
#define CLMRS_CASE_DEFAULT_MIN_INTERVAL_MONTHS 5
#define CLMRS_CASE_DEFAULT_MAX_INTERVAL_MONTHS 8
#define CLMRS_CASE_DEFAULT_POST_EXIT_MONTHS   12
#define CLMRS_CASE_DEFAULT_SUPPORT_OVERDUE_DAYS 60
#define CLMRS_CASE_DEFAULT_CLOSED_KEEP_DAYS   365
/* Consecutive clean follow-ups that close a case as exited. */
#define CLMRS_CASE_CLEAN_FOLLOW_UPS_TO_EXIT 2
/* Monitoring (follow-up and after exit) stops at this age. */
#define CLMRS_CASE_END_AGE 18

/* The case rules, a programme setting (docs/cases-and-indicators.md). */
typedef struct {
  guint    follow_up_months;       /* target interval between visits, >= 1 */
  guint    overdue_grace_days;     /* days after the due date before "overdue" */
  guint    min_interval_months;    /* a clean follow-up sooner after the anchor does not count; 0 = no minimum */
  guint    max_interval_months;    /* a follow-up later than this misses its window; 0 = no maximum */
  guint    post_exit_months;       /* monitoring interval after exit, until 18; 0 = none */
  gboolean exit_needs_alternative; /* exit only with school, training or permitted work */
  guint    support_overdue_days;   /* a support planned this long ago and neither given nor
                                      declined is overdue (to reconcile); 0 = never */
  guint    closed_keep_days;       /* a closed case's child stays on the device this long (retention.c); 0 = always */
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
  const char *in_school;           /* "yes" / "no"; NULL = not known */
  ClmrsHazardSinceLast hazard_since_last; /* follow-ups: the since-last-visit recall */
  ClmrsAlternative alternative;    /* UNKNOWN: derived from in_school ("yes" = school) */
} ClmrsCaseVisit;

/* One support record of the child or the child's household. */
typedef struct {
  const char *date;                /* YYYY-MM-DD */
  const char *type;                /* support type code (docs/rules-format.md), not empty */
  const char *state;               /* "delivered" (also NULL or ""), "planned" or "declined" */
} ClmrsCaseSupport;

/* One closure of the child's case. */
typedef struct {
  const char *date;                /* YYYY-MM-DD */
  const char *reason;              /* clmrs_closure_reason_to_string() codes */
} ClmrsCaseClosure;

typedef struct {
  const char             *birth_date;  /* YYYY-MM-DD, or NULL / "" when unknown */
  const ClmrsCaseVisit   *visits;      /* any order */
  guint                   n_visits;
  const ClmrsCaseSupport *supports;    /* any order */
  guint                   n_supports;
  const ClmrsCaseClosure *closures;    /* any order */
  guint                   n_closures;
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
  gboolean        follow_up_missed;     /* open and today > anchor + max interval */
  gboolean        monitoring_due;       /* exited, under 18, today >= next_due_date */
  gboolean        closed;               /* a closure ended the case */
  ClmrsClosureReason closure_reason;    /* when closed */
  int             age;                  /* completed years today, -1 when unknown */

  /* The latest episode (the open one, or the last one that exited). */
  char            identification_date[11];  /* the visit that opened it */
  char            first_support_date[11];   /* first support on/after identification_date */
  char            last_visit_date[11];      /* latest visit of the episode, any kind */
  char            next_due_date[11];        /* last_visit_date + interval (open), or the next
                                               annual visit after an exit (under 18); else "" */
  char            window_end_date[11];      /* anchor + max interval; "" unless open */
  char            exit_date[11];            /* the visit that closed it; "" unless exited */
  char            closure_date[11];         /* "" unless closed */
  guint           n_follow_ups;             /* assessed follow-ups after the identifying visit */
  guint           n_clean_follow_ups;       /* the current run of consecutive clean follow-ups */
  guint           n_missed_windows;         /* follow-ups that came after their window */
  guint           n_early_follow_ups;       /* clean follow-ups too soon to count */
  guint           n_support_types;          /* distinct delivered types dated on/after identification_date */
  guint           n_supports_planned;       /* planned supports dated on/after identification_date */
  guint           n_supports_overdue;       /* of them, planned more than support_overdue_days ago */

  /* The child's whole history since the first identification (for indicators). */
  struct {
    char     identification_date[11];
    int      identification_visit;      /* index into input->visits, -1 */
    char     first_support_date[11];    /* first support on/after the first identification */
    guint    n_support_types;
    guint    n_follow_ups;              /* assessed follow-ups after the first identification */
    gboolean first_follow_up_clean;     /* the first of them was clean (see above) */
    gboolean first_follow_up_no_hazard; /* the first of them found no hazardous child labour */
    int      last_follow_up_visit;      /* index into input->visits of the latest of them, -1 */
  } since_first;
} ClmrsCase;

GQuark           clmrs_case_error_quark           (void);

void             clmrs_case_config_init           (ClmrsCaseConfig       *config);
gboolean         clmrs_case_config_from_json      (ClmrsCaseConfig       *config,
                                                   JsonNode              *node,
                                                   GError               **error);
gboolean         clmrs_case_config_load_programme (ClmrsCaseConfig       *config,
                                                   GError               **error);
void             clmrs_case_config_set_interval   (ClmrsCaseConfig       *config,
                                                   guint                  months);
JsonNode        *clmrs_case_config_to_json        (const ClmrsCaseConfig *config);

gboolean         clmrs_case_evaluate              (const ClmrsCaseInput  *input,
                                                   const ClmrsCaseConfig *config,
                                                   const GDate           *today,
                                                   ClmrsCase             *out,
                                                   GError               **error);
/* The same, adding to @reasons (element-type utf8) one sentence per step
 * that decided the case, in time order. */
gboolean         clmrs_case_evaluate_explained    (const ClmrsCaseInput  *input,
                                                   const ClmrsCaseConfig *config,
                                                   const GDate           *today,
                                                   ClmrsCase             *out,
                                                   GPtrArray             *reasons,
                                                   GError               **error);

JsonNode        *clmrs_case_to_json               (const ClmrsCase       *kase);

const char      *clmrs_case_status_to_string      (ClmrsCaseStatus        status);
const char      *clmrs_case_status_to_label       (ClmrsCaseStatus        status);
gboolean         clmrs_case_status_from_string    (const char            *text,
                                                   ClmrsCaseStatus       *out);
const char      *clmrs_closure_reason_to_string   (ClmrsClosureReason     reason);
gboolean         clmrs_closure_reason_from_string (const char            *text,
                                                   ClmrsClosureReason    *out);
const char      *clmrs_alternative_to_string      (ClmrsAlternative       alternative);
gboolean         clmrs_alternative_from_string    (const char            *text,
                                                   ClmrsAlternative      *out);

G_END_DECLS
