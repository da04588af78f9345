/* clmrs-visit-wizard.h: a visit, one question (or one small group) a screen, driven by the form engine. */
#pragma once

#include <adwaita.h>

#include "clmrs-db-worker.h"

G_BEGIN_DECLS

#define CLMRS_TYPE_VISIT_WIZARD (clmrs_visit_wizard_get_type ())

G_DECLARE_FINAL_TYPE (ClmrsVisitWizard, clmrs_visit_wizard, CLMRS, VISIT_WIZARD, AdwBin)

/* What to open: a new filling of a form about a household or child, or
 * a draft to resume.  Every member may be NULL but one of form_id,
 * draft_id and corrects. */
typedef struct {
  const char *form_id;       /* "household_visit", or a form file's path */
  const char *household_id;
  const char *child_id;      /* a follow-up's or support's child */
  const char *support_type;  /* a support record's type */
  const char *draft_id;      /* resume this draft (form_id, if given, names its form file) */
  const char *corrects;      /* correct this returned visit: a draft filled from it (or the one started) */
} ClmrsVisitRequest;

GtkWidget  *clmrs_visit_wizard_new          (void);
/* Opens a draft as @request says for @facilitator_id, filled with what
 * the app knows (core prefill), and shows its first screen; a resumed
 * draft opens at its first unanswered question. */
void        clmrs_visit_wizard_start        (ClmrsVisitWizard        *self,
                                             ClmrsDbWorker           *worker,
                                             const ClmrsVisitRequest *request,
                                             const char              *facilitator_id,
                                             const char              *facilitator_name,
                                             const char              *facilitator_sex,
                                             const char              *language);
/* Stops (the draft stays saved). */
void        clmrs_visit_wizard_stop         (ClmrsVisitWizard *self);
/* Whether the last visit was closed before any answer, its new draft deleted. */
gboolean    clmrs_visit_wizard_get_discarded (ClmrsVisitWizard *self);

G_END_DECLS
