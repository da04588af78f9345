/* indicators.h: CLMRS indicators (docs/cases-and-indicators.md) over plain rows, one pass. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "cases.h"

G_BEGIN_DECLS

/*
 * The caller (the device's store, or the server's) fills these row structs
 * and calls clmrs_indicators_compute(); the indicators are then the same
 * everywhere.  Strings are borrowed: they must outlive the call.  Dates are
 * YYYY-MM-DD; ids are any non-empty strings.  Formulas and choices:
 * docs/cases-and-indicators.md.
 */

#define CLMRS_INDICATORS_ERROR (clmrs_indicators_error_quark ())

typedef enum {
  CLMRS_INDICATORS_ERROR_INVALID,   /* a row with a bad date or code, or a dangling id */
} ClmrsIndicatorsError;

typedef struct {
  const char *id;
  const char *community;            /* community id; NULL = unknown */
} ClmrsHouseholdRow;

typedef struct {
  const char *id;
  const char *household_id;         /* must name a household row */
  const char *sex;                  /* "male" / "female"; NULL = unknown */
  const char *birth_date;           /* NULL / "" = unknown */
} ClmrsChildRow;

/* The assessment of one child at one visit. */
typedef struct {
  const char *visit_id;
  const char *child_id;             /* must name a child row */
  const char *kind;                 /* "household", "farm", "follow_up" */
  const char *date;
  const char *status;               /* classification code; NULL / "" = not assessed */
  const char *child_status;         /* "present" / "moved" / "lost"; NULL = present */
  gboolean    immediate_danger;
  int         age;                  /* at the visit; <= 0 = unknown */
  const char *in_school;            /* "yes" / "no" / NULL (school participation change) */
  const char *facilitator_id;
  const char *facilitator_sex;      /* "male" / "female"; NULL = unknown */
  const char *community;            /* of the visit; NULL = the household's */
  ClmrsHazardSinceLast hazard_since_last; /* follow-ups: the since-last-visit recall */
  ClmrsAlternative alternative;     /* besides school (from in_school); UNKNOWN = none recorded */
  gboolean    proxy;                /* the child was not there: an adult answered for them */
  const char *support_received;     /* follow-ups: the support types the family said it received
                                       since the last visit, space-separated ("none"); NULL = not asked */
} ClmrsAssessmentRow;

/* A support to a child (child_id set) or to a household (only household_id
 * set: it counts for every child of the household).  A row with neither
 * (community level) does not count for any child. */
typedef struct {
  const char *child_id;
  const char *household_id;
  const char *type;
  const char *date;
  const char *state;                /* "delivered" (or NULL), "planned", "declined" */
} ClmrsSupportRow;

/* A closure of a child's case (cases.h). */
typedef struct {
  const char *child_id;             /* must name a child row */
  const char *date;
  const char *reason;               /* clmrs_closure_reason_to_string() codes */
} ClmrsClosureRow;

typedef struct {
  const char *date;
  const char *community;
  const char *level;                /* "community", "household", "school", ... */
  guint       men;
  guint       women;
  guint       boys;
  guint       girls;
  const char *household_id;         /* the household of a targeted session; NULL otherwise */
} ClmrsAwarenessRow;

typedef struct {
  const ClmrsHouseholdRow  *households;
  guint                     n_households;
  const ClmrsChildRow      *children;
  guint                     n_children;
  const ClmrsAssessmentRow *assessments;
  guint                     n_assessments;
  const ClmrsSupportRow    *supports;
  guint                     n_supports;
  const ClmrsAwarenessRow  *sessions;
  guint                     n_sessions;
  const char               *from;   /* the period, inclusive; NULL = open */
  const char               *to;
  const ClmrsCaseConfig    *case_config;  /* NULL = defaults */
  const ClmrsClosureRow    *closures;
  guint                     n_closures;
} ClmrsIndicatorsInput;

GQuark    clmrs_indicators_error_quark  (void);

JsonNode *clmrs_indicators_compute      (const ClmrsIndicatorsInput *input,
                                         const GDate                *today,
                                         GError                    **error);

G_END_DECLS
