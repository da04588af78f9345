/* clmrs-visit-review-private.h: what a user reads on the review, for tests. */
#pragma once

#include "clmrs-visit-review.h"

G_BEGIN_DECLS

/* Every title and subtitle shown, one a line. */
char *clmrs_visit_review_dup_text (ClmrsVisitReview *self);

G_END_DECLS
