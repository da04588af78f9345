/* review.h: a supervisor approves a visit or returns it to its facilitator with a message. */
#pragma once

#include "store.h"

G_BEGIN_DECLS

/* Records the decision ("approved" or "returned"; a return needs a
 * message) on finalised visit @visit_id by supervisor @supervisor_id,
 * marks the visit and queues the review's envelope, in one transaction. */
char *clmrs_review_record (ClmrsStore  *store,
                           const char  *visit_id,
                           const char  *supervisor_id,
                           const char  *decision,
                           const char  *message,
                           GError     **error);

G_END_DECLS
