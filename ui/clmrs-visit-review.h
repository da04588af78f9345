/* clmrs-visit-review.h: a visit's answers before Finish, grouped by household and child, each row back to its question. */
#pragma once

#include <adwaita.h>

#include "xform.h"

G_BEGIN_DECLS

#define CLMRS_TYPE_VISIT_REVIEW (clmrs_visit_review_get_type ())

G_DECLARE_FINAL_TYPE (ClmrsVisitReview, clmrs_visit_review, CLMRS, VISIT_REVIEW, AdwBin)

GtkWidget *clmrs_visit_review_new   (void);
/* Shows what @session still needs (its problems first) and every answer
 * it holds, in words; returns how many problems there are (Finish waits
 * for none). */
guint      clmrs_visit_review_show  (ClmrsVisitReview *self,
                                     ClmrsFormSession *session);
void       clmrs_visit_review_clear (ClmrsVisitReview *self);

G_END_DECLS
