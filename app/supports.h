/* supports.h: supports planned and never given, and settling them (given or declined). */
#pragma once

#include "cases.h"
#include "store.h"

G_BEGIN_DECLS

/* A support planned more than the programme's days ago (support_overdue_days)
 * and neither given nor declined. */
typedef struct {
  char *id;
  char *type;          /* support type code */
  char *date;          /* when it was planned, YYYY-MM-DD */
  char *child_name;    /* the child it is for, or NULL for the household */
} ClmrsOverdueSupport;

void       clmrs_overdue_support_free (ClmrsOverdueSupport *support);

/* The overdue planned supports of household @household_id (its own and
 * its children's) on @today, the oldest first; none when @days is 0.
 * Returns: (element-type ClmrsOverdueSupport) (transfer full), or NULL
 * with @error. */
GPtrArray *clmrs_supports_overdue     (ClmrsStore   *store,
                                       const char   *household_id,
                                       const GDate  *today,
                                       guint         days,
                                       GError      **error);

/* Settles planned support @support_id as "delivered" or "declined" by
 * @person_id on @today: its state and a new revision of its record
 * (queued for sync), and the cases it counts for refreshed with @config
 * (NULL: the defaults), in one transaction.  CLMRS_STORE_ERROR_STATE when
 * it is not planned any more, CLMRS_STORE_ERROR_INVALID for another state. */
gboolean   clmrs_support_settle       (ClmrsStore            *store,
                                       const char            *support_id,
                                       const char            *state,
                                       const char            *person_id,
                                       const GDate           *today,
                                       const ClmrsCaseConfig *config,
                                       GError               **error);

/* A support record's body (docs/sync-protocol.md), as a visit first
 * writes it and as settling it writes its next revision. */
JsonNode  *clmrs_support_record_body  (const char  *level,
                                       const char  *type,
                                       const char  *state,
                                       const char  *date,
                                       const char  *child_id,       /* nullable */
                                       const char  *household_id,   /* nullable */
                                       const char  *visit_id);      /* nullable */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsOverdueSupport, clmrs_overdue_support_free)

G_END_DECLS
