/* clmrs-visit-wizard-private.h: what a user sees and does in the visit wizard, for tests. */
#pragma once

#include "clmrs-visit-wizard.h"

G_BEGIN_DECLS

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
const char *clmrs_visit_wizard_get_form_id  (ClmrsVisitWizard *self);
/* The answer to @ref in the filling shown, or NULL. */
char       *clmrs_visit_wizard_get_answer   (ClmrsVisitWizard *self,
                                             const char       *ref);
/* The result page's "Given now" button for support @type to @child_id. */
GtkWidget  *clmrs_visit_wizard_get_support_button (ClmrsVisitWizard *self,
                                                   const char       *child_id,
                                                   const char       *type);
/* The result page's text: every title and subtitle shown. */
char       *clmrs_visit_wizard_get_result_text (ClmrsVisitWizard *self);
/* The review page's text: every title and subtitle shown. */
char       *clmrs_visit_wizard_get_review_text (ClmrsVisitWizard *self);

G_END_DECLS
