/* visit.h: finalising a visit: records, classification, cases and outbox in one transaction. */
#pragma once

#include "cases.h"
#include "rules.h"
#include "store.h"
#include "xform.h"

G_BEGIN_DECLS

#define CLMRS_VISIT_ERROR (clmrs_visit_error_quark ())

typedef enum {
  CLMRS_VISIT_ERROR_INCOMPLETE,  /* the form has required or constraint problems */
  CLMRS_VISIT_ERROR_INVALID,     /* answers the data model cannot take (unknown child, profile field) */
} ClmrsVisitError;

GQuark clmrs_visit_error_quark (void);

/* What a facilitator is shown after finalising: each child's outcome. */
typedef struct {
  char        *child_id;
  char        *name;
  int          age;
  ClmrsStatus  status;
  JsonNode    *reasons;      /* [{code, detail}] */
  GStrv        suggestions;  /* support type codes */
} ClmrsChildOutcome;

typedef struct {
  char      *visit_id;
  char      *household_id;   /* NULL unless a household or follow-up visit */
  GPtrArray *children;       /* (element-type ClmrsChildOutcome) */
  guint      records_queued; /* envelopes added to the outbox */
} ClmrsFinaliseResult;

void     clmrs_finalise_result_free (ClmrsFinaliseResult *result);

/* Finalises draft @visit_id filled in @session: validates it, writes the
 * household, children, assessments (classified with @rules), supports,
 * awareness session or community profile it carries, marks the visit
 * final with its answers as JSON, refreshes the cases of the children it
 * touches and queues every new or changed record's envelope, all in one
 * transaction: after a crash at any instant either all of it is there or
 * none of it is, and the draft is intact.  @visit_date (YYYY-MM-DD) is
 * the day of the visit, NULL for today. */
gboolean clmrs_visit_finalise       (ClmrsStore           *store,
                                     const char           *visit_id,
                                     ClmrsFormSession     *session,
                                     const ClmrsRuleSet   *rules,
                                     const char           *visit_date,
                                     ClmrsFinaliseResult **result,
                                     GError              **error);

/* As clmrs_visit_finalise(), the cases refreshed with @config (NULL for
 * the defaults: a 6-month follow-up interval). */
gboolean clmrs_visit_finalise_full  (ClmrsStore            *store,
                                     const char            *visit_id,
                                     ClmrsFormSession      *session,
                                     const ClmrsRuleSet    *rules,
                                     const char            *visit_date,
                                     const ClmrsCaseConfig *config,
                                     ClmrsFinaliseResult  **result,
                                     GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsFinaliseResult, clmrs_finalise_result_free)

G_END_DECLS
