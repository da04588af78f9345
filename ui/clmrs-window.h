/* clmrs-window.h: the main window: loading, sign in, home or supervisor, the visit wizard. */
#pragma once

#include <adwaita.h>

#include "clmrs-application.h"
#include "clmrs-db-worker.h"
#include "clmrs-visit-wizard.h"

G_BEGIN_DECLS

#define CLMRS_TYPE_WINDOW (clmrs_window_get_type ())

G_DECLARE_FINAL_TYPE (ClmrsWindow, clmrs_window, CLMRS, WINDOW, AdwApplicationWindow)

ClmrsWindow   *clmrs_window_new              (ClmrsApplication *application);
ClmrsDbWorker *clmrs_window_get_worker       (ClmrsWindow      *self);
/* Shows @text (plain text, not markup) for a few seconds. */
void           clmrs_window_show_toast       (ClmrsWindow      *self,
                                              const char       *text);
/* Back to the sign-in page: what the inactivity lock does. */
void           clmrs_window_lock             (ClmrsWindow      *self);
/* Seconds without input before the lock (default 300). */
void           clmrs_window_set_lock_seconds (ClmrsWindow      *self,
                                              guint             seconds);
/* The person signed in, or NULL. */
const char    *clmrs_window_get_person_id    (ClmrsWindow      *self);
/* The name of the page shown: "loading", "error", "enrol", "signin", "home",
 * "household", "supervisor", "visit" or "record". */
const char    *clmrs_window_get_page_name    (ClmrsWindow      *self);
GtkWidget     *clmrs_window_get_page         (ClmrsWindow      *self,
                                              const char       *name);
/* Whether the person signed in is a supervisor (FALSE when nobody is). */
gboolean       clmrs_window_get_supervisor   (ClmrsWindow      *self);
/* Opens the visit wizard with @form_id for the signed-in facilitator,
 * of @household_id when known. */
void           clmrs_window_start_visit      (ClmrsWindow      *self,
                                              const char       *form_id,
                                              const char       *household_id);
/* Opens the visit wizard as @request says (a follow-up of a child, a
 * support, a draft to resume) for the signed-in facilitator. */
void           clmrs_window_open_visit       (ClmrsWindow             *self,
                                              const ClmrsVisitRequest *request);
/* Shows finalised visit @visit_id read-only (its answers, each child's
 * result, the supervisor's message); Back returns home. */
void           clmrs_window_open_record      (ClmrsWindow      *self,
                                              const char       *visit_id);
/* Shows household @household_id read-only (its children and their cases,
 * its visits) to the signed-in facilitator; a visit or record opened from
 * it comes back to it, Back returns home. */
void           clmrs_window_open_household   (ClmrsWindow      *self,
                                              const char       *household_id);
/* The code of the questionnaires' language chosen ("en", "fr"). */
const char    *clmrs_window_get_form_language (ClmrsWindow     *self);

/* Whether clmrs_window_new_replacing() may replace the window now: on the
 * sign-in, home or supervisor page ("page-name" says when that changes). */
gboolean       clmrs_window_can_rebuild      (ClmrsWindow      *self);
/* A new window (its text translated afresh) in place of @old: the same
 * database worker, which @old hands over without closing it, the same
 * signed-in person and inactivity lock, the same page and home tab, a
 * sync under way and the last few seconds' toast.  Present it, then
 * destroy @old.  Only when clmrs_window_can_rebuild (@old). */
ClmrsWindow   *clmrs_window_new_replacing    (ClmrsWindow      *old);
G_END_DECLS
