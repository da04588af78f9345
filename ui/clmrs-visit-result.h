/* clmrs-visit-result.h: what a finished visit found, child by child, with the supports that can be given now. */
#pragma once

#include <adwaita.h>

#include "visit.h"

G_BEGIN_DECLS

#define CLMRS_TYPE_VISIT_RESULT (clmrs_visit_result_get_type ())

G_DECLARE_FINAL_TYPE (ClmrsVisitResult, clmrs_visit_result, CLMRS, VISIT_RESULT, AdwBin)

/* What the page shows. */
typedef struct {
  const char                *heading;     /* "The visit is saved" */
  const ClmrsFinaliseResult *children;    /* a visit that assessed children: each one's outcome, or NULL */
  GPtrArray                 *prompts;     /* of ClmrsPrompt: the visit's questions, for its reasons' items */
  const char                *country;     /* the rule set the children were assessed with */
  GHashTable                *given;       /* "child_id type" given since, or NULL */
  gboolean                   back_to_children; /* a support recorded from a visit's page: back to it */
} ClmrsVisitResultPage;

GtkWidget *clmrs_visit_result_new   (void);
void       clmrs_visit_result_show  (ClmrsVisitResult           *self,
                                     const ClmrsVisitResultPage *page);
void       clmrs_visit_result_clear (ClmrsVisitResult           *self);

G_END_DECLS
