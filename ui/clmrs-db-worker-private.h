/* clmrs-db-worker-private.h: what the worker's files share (clmrs-db-worker.c, -lists.c): its queue. */
#pragma once

#include "clmrs-db-worker.h"

G_BEGIN_DECLS

/* The worker thread's own state: the open store, the data key. */
typedef struct _ClmrsDbWorkerState ClmrsDbWorkerState;

/* A job that may open or close the store (sign-in, open), run on the thread. */
typedef gpointer (*ClmrsDbStateJobFunc) (ClmrsDbWorkerState  *state,
                                         gpointer             data,
                                         GCancellable        *cancellable,
                                         GError             **error);

/* Queues @func (a job on the open store) or @state_func; @source_tag
 * names the call for its finish. */
void     _clmrs_db_worker_push_job       (ClmrsDbWorker       *self,
                                          gpointer             source_tag,
                                          ClmrsDbJobFunc       func,
                                          ClmrsDbStateJobFunc  state_func,
                                          gpointer             data,
                                          GDestroyNotify       data_free,
                                          GDestroyNotify       result_free,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
/* The result of a call queued with @source_tag. */
gpointer _clmrs_db_worker_finish_pointer (ClmrsDbWorker  *self,
                                          GAsyncResult   *result,
                                          gpointer        source_tag,
                                          GError        **error);

G_END_DECLS
