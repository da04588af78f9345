/* clmrs-sync-jobs.h: the sync client's network calls off the main thread, and their errors in words. */
#pragma once

#include <gio/gio.h>

#include "client.h"
#include "clmrs-db-worker.h"

G_BEGIN_DECLS

/* A sync and an enrolment run on the sync's connection of @worker
 * (clmrs_db_worker_sync_connection_async()), taking turns, each on a
 * GTask thread: the worker's queue stays free for the lists while the
 * network is slow.  A health check reads the server's address on the
 * worker and asks on a thread, so it is answered during a sync.  @server_url NULL or "" = the
 * one saved at enrolment. */
void      clmrs_sync_jobs_enrol_async        (ClmrsDbWorker       *worker,
                                               const char          *server_url,
                                               const char          *code,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean  clmrs_sync_jobs_enrol_finish       (GAsyncResult        *result,
                                               GError             **error);

void      clmrs_sync_jobs_check_health_async  (ClmrsDbWorker       *worker,
                                               const char          *server_url,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
/* The server's version, or NULL with @error set. */
char     *clmrs_sync_jobs_check_health_finish (GAsyncResult        *result,
                                               GError             **error);

/* A sync (clmrs_sync_run_async()): @progress in the caller's main
 * context, before the result; cancelled, G_IO_ERROR_CANCELLED or
 * CLMRS_SYNC_ERROR_CANCELLED. */
void      clmrs_sync_jobs_run_async           (ClmrsDbWorker          *worker,
                                               const ClmrsSyncConfig  *config,
                                               GCancellable           *cancellable,
                                               ClmrsSyncProgressFunc   progress,
                                               gpointer                progress_data,
                                               GAsyncReadyCallback     callback,
                                               gpointer                user_data);
gboolean  clmrs_sync_jobs_run_finish          (GAsyncResult           *result,
                                               ClmrsSyncReport        *report,
                                               GError                **error);

/* What the device knows of its enrolment (read on the database worker). */
typedef struct {
  char     *server_url;   /* saved at enrolment, or NULL */
  gboolean  enrolled;     /* a sync token is saved */
} ClmrsEnrolment;

void      clmrs_enrolment_free                (ClmrsEnrolment      *enrolment);
/* Reads it on @worker; the finish gives the caller the result. */
void      clmrs_sync_jobs_read_enrolment_async  (ClmrsDbWorker       *worker,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
ClmrsEnrolment *clmrs_sync_jobs_read_enrolment_finish (ClmrsDbWorker  *worker,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* A sentence for the user (translated) saying what went wrong and what to
 * do, in plain words: no HTTP or libcurl text. */
char     *clmrs_sync_jobs_describe_error      (const GError        *error);
/* The technical text behind it (the client's message: status, curl's
 * words), for whoever supports the facilitator; NULL when the sentence
 * already says all there is. */
char     *clmrs_sync_jobs_error_detail        (const GError        *error);

/* "12 records sent, 3 received, 1 refused" for a report (translated). */
char     *clmrs_sync_jobs_describe_report     (const ClmrsSyncReport *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsEnrolment, clmrs_enrolment_free)

G_END_DECLS
