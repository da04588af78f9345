/* clmrs-visit-wizard.h: a visit, one question (or one small group) a screen, driven by the form engine. */
#pragma once

#include <adwaita.h>

#include "clmrs-db-worker.h"

G_BEGIN_DECLS

#define CLMRS_TYPE_VISIT_WIZARD (clmrs_visit_wizard_get_type ())

G_DECLARE_FINAL_TYPE (ClmrsVisitWizard, clmrs_visit_wizard, CLMRS, VISIT_WIZARD, AdwBin)

GtkWidget  *clmrs_visit_wizard_new          (void);
/* Opens a draft of @form_id ("household_visit") for @facilitator_id, of
 * household @household_id when known, and shows its first screen. */
void        clmrs_visit_wizard_start        (ClmrsVisitWizard *self,
                                             ClmrsDbWorker    *worker,
                                             const char       *form_id,
                                             const char       *facilitator_id,
                                             const char       *facilitator_name,
                                             const char       *facilitator_sex,
                                             const char       *household_id,
                                             const char       *language);
/* Stops (the draft stays saved). */
void        clmrs_visit_wizard_stop         (ClmrsVisitWizard *self);

/* For tests: what a user sees and does. */
const char *clmrs_visit_wizard_get_state    (ClmrsVisitWizard *self);  /* "busy", "question", "review", "result", "error" */
guint       clmrs_visit_wizard_get_n_busy   (ClmrsVisitWizard *self);
/* The refs of the questions on the screen shown. */
GStrv       clmrs_visit_wizard_get_screen_refs (ClmrsVisitWizard *self);
/* Answers @ref on the screen shown, as typing or tapping does. */
gboolean    clmrs_visit_wizard_answer       (ClmrsVisitWizard *self,
                                             const char       *ref,
                                             const char       *value);
void        clmrs_visit_wizard_next         (ClmrsVisitWizard *self);
void        clmrs_visit_wizard_back         (ClmrsVisitWizard *self);
/* The inline message under @ref on the screen shown, or NULL. */
const char *clmrs_visit_wizard_get_message  (ClmrsVisitWizard *self,
                                             const char       *ref);
const char *clmrs_visit_wizard_get_visit_id (ClmrsVisitWizard *self);

G_END_DECLS
