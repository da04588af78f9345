/* clmrs-db-worker-drafts.h: a visit's draft on the database worker: opened, its answers saved, discarded, finalised. */
#pragma once

#include "clmrs-db-worker.h"
#include "draft.h"
#include "visit.h"
#include "xform.h"

G_BEGIN_DECLS

/* Opens a draft on the worker: the returned visit @corrects corrected
 * (clmrs_review_start_correction(), then resumed), else @draft_id resumed
 * (clmrs_draft_resume() in @request's language), else a new one started
 * as @request says (clmrs_draft_start(), one transaction).  The form is
 * read and filled on the worker: the draft is handed over whole. */
void                 clmrs_db_worker_open_draft_async      (ClmrsDbWorker           *self,
                                                            const ClmrsDraftRequest *request,
                                                            const char              *draft_id,
                                                            const char              *corrects,
                                                            GCancellable            *cancellable,
                                                            GAsyncReadyCallback      callback,
                                                            gpointer                 user_data);
ClmrsDraft          *clmrs_db_worker_open_draft_finish     (ClmrsDbWorker           *self,
                                                            GAsyncResult            *result,
                                                            GError                 **error);

/* Saves one answer of draft @visit_id (@value NULL: unanswered). */
void                 clmrs_db_worker_save_answer_async     (ClmrsDbWorker           *self,
                                                            const char              *visit_id,
                                                            const char              *ref,
                                                            const char              *value,
                                                            GCancellable            *cancellable,
                                                            GAsyncReadyCallback      callback,
                                                            gpointer                 user_data);
/* Replaces every answer of draft @visit_id with @values
 * (clmrs_form_session_list_values(), taken), after a repeat changed. */
void                 clmrs_db_worker_save_answers_async    (ClmrsDbWorker           *self,
                                                            const char              *visit_id,
                                                            GPtrArray               *values,
                                                            GCancellable            *cancellable,
                                                            GAsyncReadyCallback      callback,
                                                            gpointer                 user_data);
/* The end of either save. */
gboolean             clmrs_db_worker_save_answer_finish    (ClmrsDbWorker           *self,
                                                            GAsyncResult            *result,
                                                            GError                 **error);

/* Deletes draft @visit_id and everything kept with it
 * (clmrs_store_draft_discard()): an unfinished visit discarded, or one
 * opened and closed before its first answer. */
void                 clmrs_db_worker_discard_draft_async   (ClmrsDbWorker           *self,
                                                            const char              *visit_id,
                                                            GCancellable            *cancellable,
                                                            GAsyncReadyCallback      callback,
                                                            gpointer                 user_data);
gboolean             clmrs_db_worker_discard_draft_finish  (ClmrsDbWorker           *self,
                                                            GAsyncResult            *result,
                                                            GError                 **error);

/* Finalises draft @visit_id filled in @session with the newest rule set
 * of @country on the device and the worker's case configuration
 * (clmrs_visit_finalise_full(), one transaction).  @session is lent to
 * the worker: the caller touches it again only in its callback, whatever
 * the outcome.  Not cancellable: the transaction must end. */
void                 clmrs_db_worker_finalise_visit_async  (ClmrsDbWorker           *self,
                                                            const char              *visit_id,
                                                            ClmrsFormSession        *session,
                                                            const char              *country,
                                                            GAsyncReadyCallback      callback,
                                                            gpointer                 user_data);
ClmrsFinaliseResult *clmrs_db_worker_finalise_visit_finish (ClmrsDbWorker           *self,
                                                            GAsyncResult            *result,
                                                            GError                 **error);

G_END_DECLS
