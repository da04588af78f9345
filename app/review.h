/* review.h: a supervisor approves a visit or returns it to its facilitator with a message. */
#pragma once

#include "store.h"
#include "xform.h"

G_BEGIN_DECLS

/* A finalised visit, as listed for review or as a message to its facilitator. */
typedef struct {
  char *id;
  char *kind;             /* household follow_up support awareness community ... */
  char *facilitator_id;
  char *facilitator_name;
  char *household;        /* head's name, or NULL */
  char *child;            /* the child's name for a visit about one child (follow-up, support), or NULL */
  char *community;        /* its name, or NULL */
  char *visit_date;       /* YYYY-MM-DD, or NULL */
  char *review_state;     /* pending approved returned */
  char *review_message;   /* or NULL */
  char *answers;          /* JSON text, only from clmrs_review_get_visit() */
  char *form_id;          /* only from clmrs_review_get_visit() */
  char *form_version;     /* only from clmrs_review_get_visit() */
  ClmrsForm *form;        /* the form version that made it (else the newest of its id), to read its
                             answers with their labels; NULL when none loads; only from
                             clmrs_review_get_visit() */
  char *assessments;      /* JSON text [{name, age, status, reasons, rules}] of the children
                             it assessed, only from clmrs_review_get_visit() */
  char *corrects;         /* the returned visit this one corrects, or NULL */
  char *corrects_date;    /* that visit's date, or NULL */
  char *corrected_by;     /* the finalised visit correcting this one, or NULL */
} ClmrsVisitSummary;

void               clmrs_visit_summary_free (ClmrsVisitSummary *visit);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsVisitSummary, clmrs_visit_summary_free)

/* Finalised visits in @review_state ("pending", "approved", "returned"),
 * of @facilitator_id only when not NULL, newest finalised first, at most
 * @limit.  A returned visit whose correction is finalised is done: it is
 * not listed as returned.
 * Returns: (element-type ClmrsVisitSummary) (transfer full). */
GPtrArray         *clmrs_review_list_visits (ClmrsStore  *store,
                                             const char  *review_state,
                                             const char  *facilitator_id,
                                             guint        limit,
                                             GError     **error);
/* One visit with its answers and the children it assessed; the opening
 * is written to the audit trail.  CLMRS_STORE_ERROR_NOT_FOUND when absent. */
ClmrsVisitSummary *clmrs_review_get_visit   (ClmrsStore  *store,
                                             const char  *visit_id,
                                             GError     **error);

/* Records the decision ("approved" or "returned"; a return needs a
 * message) on finalised visit @visit_id by supervisor @supervisor_id,
 * marks the visit and queues the review's envelope, in one transaction. */
char *clmrs_review_record (ClmrsStore  *store,
                           const char  *visit_id,
                           const char  *supervisor_id,
                           const char  *decision,
                           const char  *message,
                           GError     **error);

/* Starts correcting returned visit @visit_id: a draft for
 * @facilitator_id filled with its answers, read with the form version
 * that made it (clmrs_store_draft_create_correction()).
 * Returns: (transfer full): the draft's id, or %NULL with @error. */
char *clmrs_review_start_correction (ClmrsStore  *store,
                                     const char  *visit_id,
                                     const char  *facilitator_id,
                                     GError     **error);
G_END_DECLS
